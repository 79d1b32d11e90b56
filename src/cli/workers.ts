/**
 * cli/workers: the pool of worker threads of `sgsim run --jobs N`.
 *
 * Owns: starting up to N workers (cli/worker.ts, role `pool`), handing each the next file when
 * it is free, passing every message of a file on with that file's index (the caller writes
 * them in file order), granting flow-control credit as chunks are written, and replacing a
 * worker that dies (out of memory, a crash): its file gets an `internal` result with a message
 * saying so, and the remaining files still run.
 */
import { Worker } from 'node:worker_threads';
import type { Job, JobFlags, JobResult } from './file-job.ts';
import { WORKER_ENTRY } from './load-isolated.ts';
import type { PoolMessage } from './worker.ts';

export interface PoolEvents {
  /** A message of file `index`; call `written()` once a chunk has been written out. */
  message(index: number, m: PoolMessage, written: () => void): void;
  /** File `index` is finished (`crashed`: its worker died; the text says why). */
  done(index: number, result: JobResult, crashed?: string): void;
}

export async function runPool(jobs: readonly Job[], flags: JobFlags, size: number, events: PoolEvents): Promise<void> {
  let next = 0;
  let finished = 0;
  await new Promise<void>((resolveAll) => {
    const startWorker = () => {
      if (next >= jobs.length) return;
      const shared = new SharedArrayBuffer(4);
      const counter = new Int32Array(shared);
      const worker = new Worker(WORKER_ENTRY, { workerData: { role: 'pool', flags, written: shared } });
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
        why = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'ran out of memory' : `crashed: ${e.stack ?? e.message}`;
      });
      worker.on('exit', (code) => {
        if (!alive || current < 0) return;
        const i = current;
        current = -1;
        events.done(i, { kind: 'internal' }, `the worker running it ${why || `stopped (exit code ${code})`}`);
        if (++finished === jobs.length) resolveAll();
        else startWorker();
      });
      give();
    };
    if (jobs.length === 0) resolveAll();
    for (let i = 0; i < Math.min(size, jobs.length); i++) startWorker();
  });
}
