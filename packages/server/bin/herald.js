#!/usr/bin/env node
// In a checkout (src/ is here) Herald runs its TypeScript sources through tsx, so `npx herald` and the tests always
// run the code as it stands, never a build left over from an earlier edit. The published package ships dist/ and no
// src/ (package.json `files`): there it runs the compiled JavaScript with plain node, and tsx is not installed.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/index.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/index.js');
}
