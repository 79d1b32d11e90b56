/**
 * cli/load-isolated: loading a TypeScript builder script where it cannot harm the run.
 *
 * Owns: running a builder script in a worker thread of its own, started for that script and
 * ended after it (so what the script does to globals dies with it), with a time limit
 * (`--load-timeout`) and its stdout and stderr captured, and turning each way a script can
 * misbehave into one diagnostic of an invalid file (exit 2): it called process.exit, did not
 * finish in time, threw after loading, ran out of memory, or printed anything (a script only
 * exports its scenario; what it printed is quoted, and never reaches sgsim's own stdout).
 * The worker calls the public loadScenarioFile and passes back its result, plain data
 * (structured clone); the loader's own messages (syntax errors with line and column, no
 * default export…) are kept as they are.
 */
import { Worker } from 'node:worker_threads';
import type { Diagnostic, LoadResult } from '../index.ts';

export const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/** The most a loader worker may take to start (before the script's own time limit runs). */
const STARTUP_MS = 60_000;

/** At most this much of what a script printed is kept and quoted. */
const KEEP = 200;

/** A duration for messages: `5 s`, `1.5 s`, `250 ms`. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(3)} s` : `${ms} ms`;
}

function quote(s: string): string {
  const t = s.length > KEEP ? `${s.slice(0, KEEP)}…` : s;
  return JSON.stringify(t);
}

export function loadIsolated(path: string, timeoutMs: number): Promise<LoadResult> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_ENTRY, {
      workerData: { role: 'load', path },
      stdout: true,
      stderr: true,
      // Node's own warnings (experimental features) are not the script's output.
      execArgv: ['--no-warnings'],
    });
    let printed = '';
    let printedOn: 'stdout' | 'stderr' | null = null;
    const capture = (stream: 'stdout' | 'stderr') => (chunk: Buffer | string) => {
      printedOn ??= stream;
      if (printed.length <= KEEP) printed += String(chunk);
    };
    worker.stdout.on('data', capture('stdout'));
    worker.stderr.on('data', capture('stderr'));
    let result: LoadResult | null = null;
    let failure: string | null = null;
    let timedOut = false;
    const stop = (ms: number) =>
      setTimeout(() => {
        timedOut = true;
        void worker.terminate();
      }, ms);
    // Until the worker is ready (tsx registered, sgsim loaded), a generous limit of its own.
    let timer = stop(STARTUP_MS);
    worker.on('message', (m: { ready?: boolean; result?: LoadResult; uncloneable?: string }) => {
      if (m.ready) {
        clearTimeout(timer);
        timer = stop(timeoutMs);
      } else if (m.result) result = m.result;
      else if (m.uncloneable) failure = `the scenario could not be passed back from the script: ${m.uncloneable}`;
    });
    worker.on('error', (e: Error & { code?: string }) => {
      failure ??=
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'the builder script ran out of memory while loading'
          : `the builder script threw while loading: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    });
    worker.on('exit', (code) => {
      clearTimeout(timer);
      // Let the last of the captured output arrive.
      setImmediate(() => {
        const fail = (message: string): LoadResult => ({ ok: false, file: path, diagnostics: [{ file: path, path: '', message } as Diagnostic] });
        if (timedOut && result === null) resolve(fail(`the builder script did not finish loading within ${formatDuration(timeoutMs)} (--load-timeout)`));
        else if (failure !== null && result === null) resolve(fail(failure));
        else if (result === null) resolve(fail(`the builder script called process.exit(${code}) while loading`));
        else if (printedOn !== null) {
          resolve(fail(`the builder script printed to ${printedOn} while loading (${quote(printed)}); a builder script only exports its scenario`));
        } else if (failure !== null) resolve(fail(failure));
        else resolve(result);
      });
    });
  });
}
