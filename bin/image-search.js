#!/usr/bin/env node
// The `image-search` command (package.json "bin"): the operator CLI in ops/cli.ts, run through tsx's loader so the
// TypeScript sources need no build step. Same as `npm run cli -- <command>`.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../ops/cli.ts');
await runCli();
