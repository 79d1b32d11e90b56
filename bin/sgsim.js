#!/usr/bin/env node
// The `sgsim` command: registers tsx so Node 20 can load the TypeScript sources, then runs the CLI.
//
// V8's default heap limit (about 4 GiB on 64-bit) is less than a promised run needs (`repeat`
// up to 10^7 flows keeps about 400 bytes per flow). Unless the heap limit was set already
// (--max-old-space-size in NODE_OPTIONS or the node flags), the command runs itself once more
// in a child process whose limit is three quarters of the machine's memory, passing stdio,
// the exit code and a fatal signal through. SGSIM_HEAP_SET=1 marks the child (and turns this off).
import { spawnSync } from 'node:child_process';
import { constants, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';

const heapMb = Math.floor((totalmem() * 0.75) / 2 ** 20);
const limitSet =
  process.env.SGSIM_HEAP_SET === '1' ||
  process.execArgv.some((a) => a.startsWith('--max-old-space-size')) ||
  (process.env.NODE_OPTIONS ?? '').includes('--max-old-space-size');
if (!limitSet && heapMb > getHeapStatistics().heap_size_limit / 2 ** 20) {
  const child = spawnSync(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, SGSIM_HEAP_SET: '1' } },
  );
  if (child.error) {
    process.stderr.write(`sgsim: could not start: ${child.error.message}\n`);
    process.exit(3);
  }
  if (child.signal) {
    process.kill(process.pid, child.signal);
    // A signal Node ignores (SIGPIPE): exit as a shell reports such a death.
    setTimeout(() => process.exit(128 + (constants.signals[child.signal] ?? 0)), 100);
  } else process.exit(child.status ?? 3);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  process.env.SGSIM_BIN = '1';
  await import('../src/cli/main.ts');
}
