#!/usr/bin/env node
// Herald runs its TypeScript sources directly through tsx's loader: no build step between a clone and a server.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
