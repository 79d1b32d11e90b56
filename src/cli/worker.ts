/**
 * cli/worker: what a worker thread of the CLI does (started through cli/worker-entry.mjs).
 *
 * A pool worker: runs the files of `sgsim run --jobs N` it is given, one at a time, with the
 * same cli/file-job.ts as the main thread, and posts their output back as chunks, in order
 * (cli/workers.ts writes them). Flow control: past WINDOW chunks that the main thread has
 * not written yet, the worker waits (Atomics.wait on a shared counter), so a fast run behind
 * a slow one is held back instead of piling its output up in memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type Job, type JobFlags, type JobSink } from './file-job.ts';

/** Chunks (about 64 KiB each) a worker may have in flight. */
export const WINDOW = 256;

export type PoolMessage =
  | { kind: 'chunk'; channel: 'out' | 'err' | 'trace'; text: string }
  | { kind: 'chunk'; channel: 'pcap'; bytes: Uint8Array }
  | { kind: 'progress'; phase: 'load' | 'run' | 'write'; done: number; total: number }
  | { kind: 'done'; result: Awaited<ReturnType<typeof runJob>> };

const data = workerData as { role: 'pool'; flags: JobFlags; written: SharedArrayBuffer };

{
  const port = parentPort!;
  const written = new Int32Array(data.written);
  let sent = 0;
  const post = (m: PoolMessage) => {
    if (m.kind === 'chunk') {
      sent++;
      for (let w = Atomics.load(written, 0); sent - w > WINDOW; w = Atomics.load(written, 0)) Atomics.wait(written, 0, w, 1000);
    }
    port.postMessage(m);
  };
  const sink: JobSink = {
    out: (text) => post({ kind: 'chunk', channel: 'out', text }),
    err: (text) => post({ kind: 'chunk', channel: 'err', text }),
    trace: (text) => post({ kind: 'chunk', channel: 'trace', text }),
    pcap: (bytes) => post({ kind: 'chunk', channel: 'pcap', bytes }),
    progress: (phase, done, total) => port.postMessage({ kind: 'progress', phase, done, total } satisfies PoolMessage),
  };
  port.on('message', (job: Job) => {
    void runJob(job, data.flags, sink).then((result) => port.postMessage({ kind: 'done', result } satisfies PoolMessage));
  });
}
