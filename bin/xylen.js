#!/usr/bin/env node
// The `xylen` command. Xylen ships TypeScript sources, with no build step between `npm ci` and `npx xylen`:
// loadCli.js runs them from a bundle it keeps up to date, or through tsx.
import { loadCli } from './loadCli.js';

await loadCli();
