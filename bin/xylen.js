#!/usr/bin/env node
// The `xylen` command. Xylen ships TypeScript sources and runs them through tsx, so there is no
// build step between `npm ci` and `npx xylen`.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
