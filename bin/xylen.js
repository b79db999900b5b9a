#!/usr/bin/env node
// The `xylen` command. Xylen ships TypeScript sources, with no build step between `npm ci` and `npx xylen`:
// loadCli.js runs them from a bundle it keeps up to date, or through tsx.
import { setFlagsFromString } from 'node:v8';
import { loadCli } from './loadCli.js';

// A command is one short process, and most of a replay's first pass runs while V8 is still compiling it: with a third
// of V8's default inlining budget per optimised function (920 bytes of bytecode), the replay loop's optimised code
// takes half the compiler time to make and is ready sooner, and a year's fresh `xylen replay` finishes ~30 ms
// earlier (24 alternated runs). Fully optimised code is ~5 % slower with it, which a longer command (a sweep) does
// not show. A flag given to node explicitly wins.
const INLINING = '--max-inlined-bytecode-size-cumulative';
if (!process.execArgv.some((arg) => arg.startsWith(INLINING))) setFlagsFromString(`${INLINING}=300`);
// The same holds for on-stack replacement: a hot loop (a feature kernel, the replay loop) runs unoptimised until its
// optimised code is ready, and on two cores the background compile waits behind the replay and DuckDB. Compiled on
// the spot, the loop is optimised sooner: a year's fresh `xylen replay` finishes 30-40 ms earlier (medians of three
// sets of 20-24 alternated runs); startup and a sweep are unchanged.
const OSR = /^--(no-)?concurrent-osr$/;
if (!process.execArgv.some((arg) => OSR.test(arg))) setFlagsFromString('--no-concurrent-osr');

await loadCli();
