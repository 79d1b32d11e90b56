/**
 * cli/workers: the pool of worker threads of `sgsim run --jobs N`.
 *
 * Owns: starting up to N workers (cli/worker.ts, role `pool`), handing each the next file when
 * it is free, passing every message of a file on with that file's index (the caller writes
 * them in file order), granting flow-control credit as chunks are written, and replacing a
 * worker that dies (out of memory, a crash): its file gets an `internal` result with a message
 * saying so, and the remaining files still run.
 */
import { totalmem } from 'node:os';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Job, JobFlags, JobResult } from './file-job.ts';
import type { PoolMessage } from './worker.ts';

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export interface PoolEvents {
  /** A message of file `index`; call `written()` once a chunk has been written out. */
  message(index: number, m: PoolMessage, written: () => void): void;
  /** File `index` is finished (`crashed`: its worker died, and why; `bug`: not for want of memory). */
  done(index: number, result: JobResult, crashed?: { why: string; bug: boolean }): void;
}

/**
 * The heap limit of each worker (MiB): three quarters of the machine's memory shared among
 * the workers, never below the main thread's limit; SGSIM_WORKER_HEAP_MB sets it.
 * A worker past it dies alone (ERR_WORKER_OUT_OF_MEMORY), never the whole run.
 */
export function workerHeapMb(size: number): number {
  const set = Number(process.env.SGSIM_WORKER_HEAP_MB);
  if (Number.isInteger(set) && set > 0) return set;
  const mb = (bytes: number) => Math.floor(bytes / 2 ** 20);
  return Math.max(mb(getHeapStatistics().heap_size_limit), mb((totalmem() * 0.75) / size));
}

export async function runPool(jobs: readonly Job[], flags: JobFlags, size: number, events: PoolEvents): Promise<void> {
  let next = 0;
  let finished = 0;
  const heapMb = workerHeapMb(Math.min(size, jobs.length));
  // resourceLimits gives way to a process-wide --max-old-space-size (bin/sgsim.js sets one),
  // while the flag as it is when a worker starts sets that worker's limit: set it for them
  // (the main thread's own heap was sized when it started and keeps its limit).
  setFlagsFromString(`--max-old-space-size=${heapMb}`);
  await new Promise<void>((resolveAll) => {
    const startWorker = () => {
      if (next >= jobs.length) return;
      const shared = new SharedArrayBuffer(4);
      const counter = new Int32Array(shared);
      const worker = new Worker(WORKER_ENTRY, {
        workerData: { role: 'pool', flags, written: shared },
        resourceLimits: { maxOldGenerationSizeMb: heapMb },
      });
      let current = -1;
      let alive = true;
      const written = () => {
        Atomics.add(counter, 0, 1);
        Atomics.notify(counter, 0);
      };
      const give = () => {
        if (next >= jobs.length) {
          alive = false;
          void worker.terminate();
          return;
        }
        current = next++;
        worker.postMessage(jobs[current]);
      };
      let why = '';
      let bug = true;
      worker.on('message', (m: PoolMessage) => {
        if (m.kind === 'done') {
          const i = current;
          current = -1;
          events.done(i, m.result);
          if (++finished === jobs.length) resolveAll();
          give();
        } else events.message(current, m, written);
      });
      worker.on('error', (e: Error & { code?: string }) => {
        bug = e.code !== 'ERR_WORKER_OUT_OF_MEMORY';
        why = bug ? `crashed: ${e.stack ?? e.message}` : `ran out of memory (its heap limit: ${heapMb} MiB; SGSIM_WORKER_HEAP_MB sets it)`;
      });
      worker.on('exit', (code) => {
        if (!alive || current < 0) return;
        const i = current;
        current = -1;
        events.done(i, { kind: 'internal' }, { why: `the worker running it ${why || `stopped (exit code ${code})`}`, bug });
        if (++finished === jobs.length) resolveAll();
        else startWorker();
      });
      give();
    };
    if (jobs.length === 0) resolveAll();
    for (let i = 0; i < Math.min(size, jobs.length); i++) startWorker();
  });
}
