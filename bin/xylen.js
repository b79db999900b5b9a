#!/usr/bin/env node
// The `xylen` command. Xylen ships TypeScript sources, with no build step between `npm ci` and `npx xylen`:
// loadCli.js runs them from a bundle it keeps up to date, or through tsx.
import { setFlagsFromString } from 'node:v8';
import { loadCli } from './loadCli.js';

// A command is one short process, and most of a replay's first pass runs while V8 is still compiling it. Two V8
// settings get the hot code optimised sooner, measured on a year's fresh `xylen replay` (alternated runs, 20-30
// pairs a set):
// - A sixth of V8's default inlining budget per optimised function (920 bytes of bytecode): the replay loop, which
//   inlines the engine, takes far less compiler time to make. At 300 the compiler's CPU time fell from ~0.8 to
//   ~0.56 s and the loop's median by ~35 ms; at 150 (with the next setting) the run's median fell 13-43 ms more in
//   four sets. Fully optimised code is a few per cent slower, which a sweep or repeated replays do not show.
// - On-stack replacement compiled on the spot (--no-concurrent-osr): a hot loop (a feature kernel, the replay loop)
//   otherwise runs unoptimised while its compile waits for a core behind the replay and DuckDB. The run's median
//   fell 29-40 ms in three sets.
// Startup and a 36-configuration sweep are unchanged. A flag given to node explicitly wins.
const INLINING = '--max-inlined-bytecode-size-cumulative';
if (!process.execArgv.some((arg) => arg.startsWith(INLINING))) setFlagsFromString(`${INLINING}=150`);
const OSR = /^--(no-)?concurrent-osr$/;
if (!process.execArgv.some((arg) => OSR.test(arg))) setFlagsFromString('--no-concurrent-osr');

await loadCli();
