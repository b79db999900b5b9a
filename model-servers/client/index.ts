// Public API of the model clients. Other folders import from here, never from the files.
export { HttpModelClient } from './HttpModelClient.ts';
export type { HttpModelClientOptions, EndpointState } from './HttpModelClient.ts';
export { InProcessModelClient } from './InProcessModelClient.ts';
export { modelClientFor } from './modelClientFor.ts';
export type { ModelClientForOptions } from './modelClientFor.ts';
