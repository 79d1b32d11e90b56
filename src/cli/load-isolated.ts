/**
 * cli/load-isolated: loading a TypeScript builder script where it cannot harm the run.
 *
 * Owns: running a builder script in a child process of its own (cli/load-child.ts), started
 * for that script and ended after it, with a time limit (`--load-timeout`, from the moment the
 * child is ready) and its stdout and stderr captured as pipes, and turning each way a script
 * can misbehave into one diagnostic of an invalid file (exit 2): it called process.exit, did
 * not finish in time, threw, ran out of memory, ended its process (a signal, process.abort),
 * or printed anything (a script only exports its scenario; what it printed is quoted, and
 * never reaches sgsim's own stdout, not even written to file descriptor 1 directly). A process
 * rather than a worker thread because a thread shares the process: its file descriptors,
 * process.kill(process.pid), process.abort. The child calls the public loadScenarioFile and
 * sends back its result, plain data (structured clone over IPC); the loader's own messages
 * (syntax errors with line and column, no default export…) are kept as they are.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, LoadResult } from '../index.ts';

const LOAD_CHILD = new URL('./load-child.mjs', import.meta.url);

/** The most a loader process may take to start (before the script's own time limit runs). */
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
    const child = spawn(process.execPath, ['--no-warnings', fileURLToPath(LOAD_CHILD), path], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let printed = '';
    let printedOn: 'stdout' | 'stderr' | null = null;
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      printedOn ??= 'stdout';
      if (printed.length <= KEEP) printed += String(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      printedOn ??= 'stderr';
      if (printed.length <= KEEP) printed += String(chunk);
      if (stderr.length < 4096) stderr += String(chunk);
    });
    let result: LoadResult | null = null;
    let failure: string | null = null;
    let timedOut = false;
    const stop = (ms: number) =>
      setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, ms);
    // Until the child is ready (Node started, tsx registered, sgsim loaded), a generous limit of its own.
    let timer = stop(STARTUP_MS);
    child.on('message', (m: { ready?: boolean; result?: LoadResult; uncloneable?: string; threw?: string }) => {
      if (m.ready) {
        clearTimeout(timer);
        timer = stop(timeoutMs);
      } else if (m.result) result = m.result;
      else if (m.uncloneable) failure = `the scenario could not be passed back from the script: ${m.uncloneable}`;
      else if (m.threw !== undefined) failure = `the builder script threw while loading: ${m.threw}`;
    });
    child.on('error', (e) => {
      failure ??= `could not start a process to load the builder script: ${e.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const fail = (message: string): LoadResult => ({ ok: false, file: path, diagnostics: [{ file: path, path: '', message } as Diagnostic] });
      if (timedOut && result === null) resolve(fail(`the builder script did not finish loading within ${formatDuration(timeoutMs)} (--load-timeout)`));
      else if (failure !== null) resolve(fail(failure));
      else if (result === null && /heap out of memory/.test(stderr)) resolve(fail('the builder script ran out of memory while loading'));
      else if (result === null && signal !== null) resolve(fail(`the builder script's process was ended by ${signal} while loading`));
      else if (result === null) resolve(fail(`the builder script called process.exit(${code}) while loading`));
      else if (printedOn !== null) {
        resolve(fail(`the builder script printed to ${printedOn} while loading (${quote(printed)}); a builder script only exports its scenario`));
      } else resolve(result);
    });
  });
}
