// Worker threads do not inherit the tsx loader the main thread registered: register it here, then run the
// TypeScript worker. (Also works under vitest, which transforms only its own thread.)
import { register } from 'tsx/esm/api';

register();
await import('./sweepWorker.ts');
