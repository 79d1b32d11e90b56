/**
 * cli/commands/run: `sgsim run`.
 *
 * Owns: the run as a whole — the files to run (cli/paths.ts), where each output goes (the
 * summary or `--json` to stdout, messages to stderr, the trace to its file or, with
 * `--trace -`, to stdout, the summary then moving to stderr), running the files here
 * (`--jobs 1`, or a single file) or in a pool of workers (cli/workers.ts) while writing every
 * file's output in file order (so the bytes are the same either way), progress, the closing
 * line or the JSON document's frame, and the exit code: 3 if any file hit a bug, else 2 if any
 * was invalid, else 1 if an expectation failed, else 0.
 */
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { formatDiagnostic, palette, plural, type Diagnostic } from '../../index.ts';
import { runJob, type Job, type JobFlags, type JobResult, type JobSink } from '../file-job.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_INTERNAL_ERROR, EXIT_INVALID_INPUT, EXIT_OK, writeFully, type Io } from '../io.ts';
import { manyJson } from '../output.ts';
import { displayPath, expandPaths } from '../paths.ts';
import { BIG_FILE, NO_PROGRESS, progressOn, type Phase, type ProgressView } from '../progress.ts';
import { runPool } from '../workers.ts';

export interface RunFlags {
  json?: boolean;
  seed?: string;
  trace?: string;
  pcap?: string;
  timing?: boolean;
  color?: boolean;
  compileAfter?: number;
  failedOnly?: boolean;
  jobs: number;
  loadTimeout: number;
}

export async function runCommand(paths: string[], flags: RunFlags, io: Io): Promise<number> {
  const p = palette(io.color && flags.color !== false);
  const traceToStdout = flags.trace === '-';
  if (traceToStdout && flags.json) {
    io.stderr('sgsim: --trace - and --json would both write to stdout; give --trace a file\n');
    return EXIT_INVALID_INPUT;
  }
  const { files, problems } = expandPaths(paths);
  const jobs: Job[] = files.map((f) => ({ path: f.path, shown: displayPath(io.cwd, f.path), listed: f.listed }));
  let traceFd: number | null = null;
  if (flags.trace && !traceToStdout) {
    try {
      traceFd = openSync(flags.trace, 'w');
    } catch (e) {
      io.stderr(`sgsim: cannot write the trace file ${flags.trace}: ${(e as Error).message}\n`);
      return EXIT_INVALID_INPUT;
    }
  }
  let pcapFd: number | null = null;
  if (flags.pcap) {
    try {
      pcapFd = openSync(flags.pcap, 'w');
    } catch (e) {
      if (traceFd !== null) closeSync(traceFd);
      io.stderr(`sgsim: cannot write the capture file ${flags.pcap}: ${(e as Error).message}\n`);
      return EXIT_INVALID_INPUT;
    }
  }
  const single = jobs.length === 1 && problems.length === 0;
  const jobFlags: JobFlags = {
    format: flags.json ? (single ? 'json0' : 'json2') : 'text',
    seed: flags.seed,
    timing: flags.timing === true,
    color: io.color && flags.color !== false,
    failedOnly: flags.failedOnly === true,
    trace: flags.trace !== undefined,
    pcap: pcapFd !== null,
    compileAfter: flags.compileAfter,
    loadTimeoutMs: flags.loadTimeout,
  };
  const progress: ProgressView = io.progress ? progressOn(io.progress, jobs.length, io.progressAfterMs) : NO_PROGRESS;
  const stderr = (s: string) => {
    progress.clear();
    io.stderr(s);
  };
  // The summary goes to stdout, unless the trace does.
  const summary = traceToStdout ? stderr : io.stdout;
  const trace = traceFd !== null ? (s: string) => writeFully(traceFd!, s) : io.stdout;

  for (const d of problems) stderr(`${p.red('error')} ${formatDiagnostic(d)}\n`);
  let reportsWritten = 0;
  if (jobFlags.format === 'json2') io.stdout(manyJson.open);
  const results: JobResult[] = new Array(jobs.length);
  let filesDone = 0;
  /** The sink of file i: as the job writes, in order (the caller guarantees file order). */
  const sinkOf = (i: number): JobSink => {
    let first = true;
    return {
      out: (s) => {
        if (first && jobFlags.format === 'json2') io.stdout(manyJson.before(reportsWritten === 0));
        if (first) reportsWritten++;
        first = false;
        summary(s);
      },
      err: stderr,
      trace,
      pcap: (bytes) => {
        for (let off = 0; off < bytes.length; ) off += writeSync(pcapFd!, bytes, off);
      },
      progress: (phase: Phase, done, total) => {
        const big = phase === 'load' && sizeOf(jobs[i].path) >= BIG_FILE;
        progress.update(jobs[i].shown, phase, done, total, filesDone, big);
      },
    };
  };
  try {
    if (flags.jobs <= 1 || jobs.length <= 1) {
      for (let i = 0; i < jobs.length; i++) {
        results[i] = await runJob(jobs[i], jobFlags, sinkOf(i));
        filesDone++;
      }
    } else await runOrdered(jobs, jobFlags, flags.jobs, sinkOf, results, () => filesDone++);
  } finally {
    progress.clear();
    if (traceFd !== null) closeSync(traceFd);
    if (pcapFd !== null) closeSync(pcapFd);
  }

  const errors: Diagnostic[] = [...problems];
  for (const r of results) if (r.kind === 'invalid') errors.push(...r.diagnostics);
  const reports = results.filter((r) => r.kind === 'report');
  const passed = reports.filter((r) => r.passed).length;
  const internal = results.filter((r) => r.kind === 'internal').length;
  if (flags.json) {
    if (jobFlags.format === 'json0' && reportsWritten === 1) io.stdout('\n');
    else {
      if (jobFlags.format === 'json0') io.stdout(manyJson.open);
      io.stdout(manyJson.close(reportsWritten > 0, errors));
    }
  } else {
    const failed = reports.length - passed;
    const counted = jobs.length - results.filter((r) => r.kind === 'skipped').length + problems.length;
    const parts = [plural(counted, 'scenario file'), p.green(`${passed} passed`)];
    parts.push(failed ? p.red(`${failed} failed`) : `${failed} failed`);
    const invalid = problems.length + results.filter((r) => r.kind === 'invalid').length;
    parts.push(invalid ? p.red(`${invalid} invalid`) : '0 invalid');
    if (internal) parts.push(p.red(`${plural(internal, 'internal error')}`));
    summary(`${parts.join(', ')}\n`);
  }
  if (internal > 0) return EXIT_INTERNAL_ERROR;
  if (errors.length > 0) return EXIT_INVALID_INPUT;
  return passed === reports.length ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}

/**
 * Runs the jobs in a pool of workers and replays each file's output through its sink in file
 * order: the head file's chunks as they come, a later file's kept until it becomes the head.
 */
async function runOrdered(
  jobs: readonly Job[],
  flags: JobFlags,
  size: number,
  sinkOf: (i: number) => JobSink,
  results: JobResult[],
  onFileDone: () => void,
): Promise<void> {
  const sinks = jobs.map((_, i) => sinkOf(i));
  const pending: { m: import('../worker.ts').PoolMessage; written: () => void }[][] = jobs.map(() => []);
  const finished: (JobResult | null)[] = jobs.map(() => null);
  let head = 0;
  const apply = (i: number, m: import('../worker.ts').PoolMessage, written: () => void) => {
    if (m.kind === 'chunk') {
      if (m.channel === 'pcap') sinks[i].pcap(m.bytes);
      else sinks[i][m.channel](m.text);
      written();
    } else if (m.kind === 'progress') sinks[i].progress(m.phase, m.done, m.total);
  };
  const advance = () => {
    while (head < jobs.length && finished[head] !== null) {
      results[head] = finished[head]!;
      onFileDone();
      head++;
      if (head < jobs.length) {
        for (const { m, written } of pending[head]) apply(head, m, written);
        pending[head] = [];
      }
    }
  };
  await runPool(jobs, flags, size, {
    message(i, m, written) {
      if (i === head) apply(i, m, written);
      else if (m.kind === 'chunk') pending[i].push({ m, written });
    },
    done(i, result, crashed) {
      if (crashed !== undefined) {
        const text = crashed.bug
          ? `sgsim: internal error while running ${jobs[i].shown}: ${crashed.why} (this is a bug; please report it)\n`
          : `sgsim: could not finish ${jobs[i].shown}: ${crashed.why}\n`;
        if (i === head) sinks[i].err(text);
        else pending[i].push({ m: { kind: 'chunk', channel: 'err', text }, written: () => {} });
      }
      finished[i] = result;
      advance();
    },
  });
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
