/**
 * cli/file-job: one file of `sgsim run`, from its path to its output.
 *
 * Owns: loading a file (a builder script in an isolated worker, cli/load-isolated.ts; a sgsim
 * run report recognised, cli/paths.ts), running it, and writing what it contributes — its
 * summary or JSON report, its messages, its trace lines — to a JobSink, in that file's own
 * order. The same code runs in the main thread (`--jobs 1`) and in the pool's workers
 * (cli/workers.ts), which is why their output is byte-identical: only the sink differs.
 * A bug while running a file is reported with its stack trace as that file's result (exit 3);
 * the other files still run.
 */
import {
  WorldError,
  formatDiagnostic,
  loadScenarioFile,
  palette,
  plural,
  renderTextChunks,
  runScenarioStreaming,
  type Diagnostic,
  type LoadResult,
  type StreamingReport,
  PcapWriter,
  teeTrace,
  type TraceSink,
} from '../index.ts';
import { loadIsolated } from './load-isolated.ts';
import { reportJsonChunks } from './output.ts';
import { isRunReport } from './paths.ts';

/** What `sgsim run` was asked for, as every file's job reads it (structured-cloneable). */
export interface JobFlags {
  /** 'text', or JSON nested 0 levels (the document is this one report) or 2 (one of `scenarios`). */
  readonly format: 'text' | 'json0' | 'json2';
  readonly seed?: string;
  readonly timing: boolean;
  readonly color: boolean;
  readonly failedOnly: boolean;
  readonly trace: boolean;
  /** Write the run's packet capture (analysis/pcap.ts), a pcapng section, to the sink's `pcap`. */
  readonly pcap: boolean;
  readonly compileAfter?: number;
  readonly loadTimeoutMs: number;
}

/** Where a job writes: `out` the summary or report, `err` messages, `trace` JSON lines. */
export interface JobSink {
  out(s: string): void;
  err(s: string): void;
  trace(s: string): void;
  /** Bytes of the capture (`--pcap`), in order. */
  pcap(bytes: Uint8Array): void;
  /** Phase and progress of this file (flows done of total), for a progress bar. */
  progress(phase: 'load' | 'run' | 'write', done: number, total: number): void;
}

export type JobResult =
  | { readonly kind: 'report'; readonly passed: boolean }
  /** Every diagnostic of the file (stderr shows the first and how many more). */
  | { readonly kind: 'invalid'; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: 'skipped' }
  | { readonly kind: 'internal' };

export interface Job {
  readonly path: string;
  /** The file as reports name it. */
  readonly shown: string;
  /** Found by listing a directory (a run report there is skipped, not invalid). */
  readonly listed: boolean;
}

const TRACE_CHUNK = 1 << 16;

/** Loads a scenario file: a builder script in a worker of its own, the others here. */
export function loadFile(path: string, loadTimeoutMs: number): Promise<LoadResult> {
  return /\.ts$/i.test(path) ? loadIsolated(path, loadTimeoutMs) : loadScenarioFile(path);
}

export async function runJob(job: Job, flags: JobFlags, sink: JobSink): Promise<JobResult> {
  const p = palette(flags.color);
  const { shown } = job;
  const invalid = (diagnostics: Diagnostic[]): JobResult => {
    const d = { ...diagnostics[0], file: shown };
    const more = diagnostics.length > 1 ? ` (and ${plural(diagnostics.length - 1, 'more problem')}; \`sgsim validate\` lists them)` : '';
    sink.err(`${p.red('error')} ${formatDiagnostic(d)}${more}\n`);
    // stderr has one line per invalid file; --json's `errors` every diagnostic.
    return { kind: 'invalid', diagnostics: diagnostics.map((x) => ({ ...x, file: shown })) };
  };
  if (isRunReport(job.path)) {
    if (job.listed) {
      sink.err(`${p.yellow('note')} ${shown}: skipped: it is a run report written by \`sgsim run --json\`, not a scenario\n`);
      return { kind: 'skipped' };
    }
    return invalid([{ file: shown, path: '', message: 'this is a run report written by `sgsim run --json`, not a scenario' }]);
  }
  try {
    sink.progress('load', 0, 0);
    const loadStart = performance.now();
    const loaded = await loadFile(job.path, flags.loadTimeoutMs);
    const loadMs = flags.timing ? Math.round((performance.now() - loadStart) * 1000) / 1000 : undefined;
    if (!loaded.ok) return invalid(loaded.diagnostics);
    let run: StreamingReport;
    let trace: TraceSink | null = null;
    let buffer = '';
    if (flags.trace) {
      sink.trace(JSON.stringify({ ev: 'scenario', file: shown, scenario: loaded.spec.name, seed: flags.seed ?? loaded.spec.seed }) + '\n');
      trace = (e) => {
        buffer += JSON.stringify(e) + '\n';
        if (buffer.length > TRACE_CHUNK) {
          sink.trace(buffer);
          buffer = '';
        }
      };
    }
    const pcap = flags.pcap ? new PcapWriter((b) => sink.pcap(b)) : null;
    if (pcap !== null) {
      const capture = pcap.section({ scenario: loaded.spec.name, file: shown, seed: flags.seed ?? loaded.spec.seed });
      trace = trace !== null ? teeTrace(trace, capture) : capture;
    }
    try {
      run = runScenarioStreaming(loaded.spec, {
        seed: flags.seed,
        trace,
        file: shown,
        timing: flags.timing,
        compileReceiversAfter: flags.compileAfter,
        onProgress: (done, total) => sink.progress('run', done, total),
      });
    } catch (e) {
      if (!(e instanceof WorldError)) throw e;
      return invalid([{ file: shown, path: 'timeline', message: e.message }]);
    } finally {
      if (buffer) sink.trace(buffer);
      pcap?.finish();
    }
    writeReport(run, flags, p, sink, loadMs);
    return { kind: 'report', passed: run.passed };
  } catch (e) {
    sink.err(`sgsim: internal error while running ${shown} (this is a bug; please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
    return { kind: 'internal' };
  }
}

function writeReport(run: StreamingReport, flags: JobFlags, p: ReturnType<typeof palette>, sink: JobSink, loadMs: number | undefined): void {
  const total = run.flowCount;
  sink.progress('write', 0, total);
  const step = (s: string) => sink.out(s);
  if (flags.format === 'text') {
    for (const s of renderTextChunks(run, p, { failedOnly: flags.failedOnly, timing: flags.timing, loadMs })) step(s);
    sink.out('\n');
  } else {
    const keep = flags.failedOnly ? (f: { ok?: boolean }) => f.ok === false : undefined;
    for (const s of reportJsonChunks(run, flags.format === 'json0' ? 0 : 2, keep)) step(s);
  }
  sink.progress('write', total, total);
}
