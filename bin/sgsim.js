#!/usr/bin/env node
// The `sgsim` command: registers tsx so Node 20 can load the TypeScript sources, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
process.env.SGSIM_BIN = '1';
await import('../src/cli/main.ts');
