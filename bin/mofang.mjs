#!/usr/bin/env node
// The `mofang` command: registers tsx (with the repo's tsconfig, so `@shared/…` paths resolve) and runs
// the TypeScript CLI directly, so `npx mofang …` works right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../server/src/cli/index.ts');
await main(process.argv);
