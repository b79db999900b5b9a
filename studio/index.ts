// Public entry of the studio for the rest of Xylen (the CLI, tests, benchmarks): serve the built SvelteKit app, build it.
export { startStudio } from './host/startStudio.ts';
export type { RunningStudio, StartStudioOptions } from './host/startStudio.ts';
export { ensureStudioBuilt, buildStudio, studioBuildState, BUILD_STEPS, BUILD_DIR, STUDIO_DIR } from './host/studioBuild.ts';
export type { BuildState } from './host/studioBuild.ts';
