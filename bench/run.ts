/**
 * bench/run: `npm run bench` — runs every registered workload variant in its own child process,
 * collects each child's JSON line, saves them, and prints one table that judges each target.
 *
 *   tsx bench/run.ts [--quick] [--only W1,W4] [--repeat N] [--strict] [--help]
 *
 * Owns: process orchestration (one `node --import tsx bench/<file>` per run and repetition, so
 * heap, RSS and JIT state never mix), progress on stderr, bench/results/<timestamp>.jsonl and
 * bench/results/latest.jsonl, the medians across repetitions, and the final table on stdout.
 * Does not own: the list of workloads and targets (bench/workloads.ts) or the workloads.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import pc from 'picocolors';
import { CHECKS, RUNS, type CheckSpec, type RunSpec, type WorkloadId } from './workloads.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const WORKLOADS: WorkloadId[] = ['W1', 'W2', 'W3', 'W4', 'W6', 'W7'];

const HELP = `usage: npm run bench [-- options]      (or: npx tsx bench/run.ts [options])

Runs each benchmark workload variant in its own child process and prints one table.

options:
  --quick          smaller sizes; the whole run stays under a minute
  --only W1,W4     run only these workloads (comma-separated; default: all)
  --repeat N       run every variant N times, interleaved, and judge the medians
                   (default: 3, and 7 for W1 and W2, whose runs take under a second
                   and spread most; 1 with --quick)
  --strict         exit with status 1 when a target is missed (default: only on errors)
  -h, --help       this text

Results: one JSON line per child run in bench/results/<timestamp>.jsonl and
bench/results/latest.jsonl. See bench/README.md for the table's columns.
`;

type Json = Record<string, unknown>;

interface Outcome {
  /** The JSON lines of successful repetitions. */
  lines: Json[];
  /** One message per failed repetition. */
  errors: string[];
  implemented: boolean;
}

interface ChildResult {
  line?: Json;
  error?: string;
  seconds: number;
}

/** `repeat`: null when not given (each run then takes its own default, repeatsOf). */
function parseCli(): { quick: boolean; only: WorkloadId[]; repeat: number | null; strict: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        repeat: { type: 'string' },
        strict: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const only = (values.only ?? WORKLOADS.join(','))
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
  const unknown = only.filter((w) => !(WORKLOADS as string[]).includes(w));
  if (unknown.length > 0) {
    process.stderr.write(`--only: unknown workload(s) ${unknown.join(', ')}; known: ${WORKLOADS.join(', ')}\n`);
    process.exit(2);
  }
  const quick = values.quick ?? false;
  const repeat = values.repeat === undefined ? null : Number(values.repeat);
  if (repeat !== null && (!Number.isSafeInteger(repeat) || repeat < 1)) {
    process.stderr.write(`--repeat must be a positive integer, got ${JSON.stringify(values.repeat)}\n`);
    process.exit(2);
  }
  return { quick, only: only as WorkloadId[], repeat, strict: values.strict ?? false };
}

/**
 * Repetitions of a run: --repeat when given; else 1 with --quick, else the run's own default
 * (RunSpec.repeat: more for the short runs, whose single timings spread most), else 3.
 */
function repeatsOf(run: RunSpec, opts: { quick: boolean; repeat: number | null }): number {
  if (opts.repeat !== null) return opts.repeat;
  return opts.quick ? 1 : (run.repeat ?? 3);
}

/** Runs one child; resolves with its last stdout line parsed as JSON, or an error. */
function runChild(run: RunSpec, quick: boolean): Promise<ChildResult> {
  const file = `${BENCH_DIR}${run.file}`;
  // W3's 10^6-instance world with 10^6 flows needs more than V8's default heap limit (about
  // 4 GiB here); the limit is lifted for every workload alike, and peak RSS is still reported.
  const args = ['--max-old-space-size=16384', '--import', 'tsx', file, ...(quick ? run.quickArgs : run.args)];
  const timeoutS = run.timeoutS ?? (quick ? 120 : 600);
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    // cwd = the repository, so `--import tsx` resolves from its node_modules.
    const child = spawn(process.execPath, args, { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const last = stdout.trim().split('\n').pop() ?? '';
      let line: Json | undefined;
      try {
        const parsed: unknown = JSON.parse(last);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) line = parsed as Json;
      } catch {
        line = undefined;
      }
      const tail = stderr.trim().split('\n').slice(-15).join('\n');
      let error: string | undefined;
      if (spawnError) error = `could not start: ${spawnError.message}`;
      else if (timedOut) error = `timed out after ${timeoutS} s`;
      else if (code !== 0) error = `exited with ${signal ?? `status ${code}`}`;
      else if (!line) error = 'printed no JSON line last on stdout';
      else if (typeof line.error === 'string') error = line.error;
      if (error !== undefined && tail.length > 0 && !error.includes(tail)) error += `\n${tail}`;
      resolve({ line, error, seconds });
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** Progress on stderr: a bar on a TTY, one line per step otherwise. */
class Progress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private i = 0;

  constructor(private readonly total: number) {
    if (process.stderr.isTTY && total > 0) {
      this.bar = new cliProgress.SingleBar(
        { format: 'bench [{bar}] {value}/{total} {name}', barsize: 24, hideCursor: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { name: '' });
    }
  }

  start(name: string): void {
    this.i++;
    if (this.bar) this.bar.update(this.i - 1, { name: `${name} …` });
    else process.stderr.write(`[${this.i}/${this.total}] ${name} …\n`);
  }

  done(name: string, summary: string): void {
    if (this.bar) this.bar.update(this.i, { name: `${name}: ${summary}` });
    else process.stderr.write(`[${this.i}/${this.total}] ${name}: ${summary}\n`);
  }

  stop(): void {
    this.bar?.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toPrecision(3);
}

/** The variant a run has at the sizes this run uses. */
function variantOf(run: RunSpec, quick: boolean): string {
  return quick ? (run.quickVariant ?? run.variant) : run.variant;
}

function runName(run: RunSpec, quick: boolean): string {
  return `${run.workload} ${run.impl} ${variantOf(run, quick)}`;
}

/** The metric of a run's successful lines: median, count and relative spread. */
function metricOf(o: Outcome | undefined, metric: string): { value: number; n: number; spread: number } | undefined {
  if (!o) return undefined;
  const xs = o.lines.map((l) => l[metric]).filter((v): v is number => typeof v === 'number');
  if (xs.length === 0) return undefined;
  const value = median(xs);
  const spread = xs.length > 1 && value !== 0 ? (Math.max(...xs) - Math.min(...xs)) / Math.abs(value) : 0;
  return { value, n: xs.length, spread };
}

/** Why a run has no numbers, for the table. */
function missingReason(o: Outcome | undefined): string {
  if (!o) return 'not selected';
  if (!o.implemented) return 'not implemented yet';
  if (o.errors.length > 0) return 'FAILED (see above)';
  return 'no value';
}

function targetText(c: CheckSpec): string {
  const t = c.target;
  switch (t.kind) {
    case 'ratio-at-least':
      return `≥ ${t.min}×`;
    case 'at-least':
      return `≥ ${fmt(t.min)}${t.unit ? ` ${t.unit}` : ''}`;
    case 'at-most':
      return `≤ ${fmt(t.max)}${t.unit ? ` ${t.unit}` : ''}`;
    case 'judge':
      return t.text;
    case 'info':
      return '—';
  }
}

interface Row {
  cells: string[];
  failed: boolean;
}

function checkRow(c: CheckSpec, runs: Map<string, RunSpec>, outcomes: Map<string, Outcome>, quick: boolean): Row {
  const run = runs.get(c.key)!;
  const o = outcomes.get(c.key);
  const m = metricOf(o, c.metric);
  const variant = typeof o?.lines[0]?.variant === 'string' ? (o.lines[0].variant as string) : variantOf(run, quick);
  const head = [run.workload, run.impl, variant, c.metricLabel];
  const target = targetText(c);

  let baselineCell = '—';
  let baselineValue: number | undefined;
  let baselineMissing: string | undefined;
  const b = c.baseline;
  if (b?.kind === 'published') {
    baselineCell = `${fmt(b.value)}\n${pc.dim(b.label)}`;
    baselineValue = b.value;
  } else if (b?.kind === 'run') {
    const bo = outcomes.get(b.key);
    const bm = metricOf(bo, b.metric ?? c.metric);
    if (bm) {
      baselineValue = bm.value;
      baselineCell = `${fmt(bm.value)}\n${pc.dim(b.label)}`;
    } else {
      baselineMissing = missingReason(bo);
      baselineCell = `${pc.dim(b.label)}\n${baselineMissing}`;
    }
  }

  if (!m) {
    const reason = missingReason(o);
    return { cells: [...head, reason, '', baselineCell, '', target, pc.dim('—')], failed: reason.startsWith('FAILED') };
  }
  const runsCell = m.n > 1 ? `${m.n} ±${(m.spread * 50).toFixed(1)}%` : String(m.n);
  const ratio = baselineValue !== undefined && baselineValue !== 0 ? m.value / baselineValue : undefined;
  const ratioCell = ratio === undefined ? '—' : `${ratio.toFixed(2)}×`;

  let mark: string;
  let failed = false;
  const t = c.target;
  let pass: boolean | undefined;
  if (t.kind === 'ratio-at-least') pass = ratio === undefined ? undefined : ratio >= t.min;
  else if (t.kind === 'at-least') pass = m.value >= t.min;
  else if (t.kind === 'at-most') pass = m.value <= t.max;

  // Same simulated outcome as the baseline run, or the comparison is meaningless.
  const mismatch: string[] = [];
  if (c.sameOutcome && b?.kind === 'run') {
    const mine = o!.lines;
    const theirs = outcomes.get(b.key)?.lines ?? [];
    for (const k of c.sameOutcome) {
      const vals = new Set([...mine, ...theirs].map((l) => JSON.stringify(l[k])));
      if (vals.size > 1) mismatch.push(`${k}: ${[...vals].join(' vs ')}`);
    }
  }

  if (mismatch.length > 0) {
    mark = pc.red(`FAIL: outcome differs\n${mismatch.join('\n')}`);
    failed = true;
  } else if (pass === undefined) {
    mark = t.kind === 'judge' ? pc.yellow('judge') : baselineMissing ? pc.dim('—') : pc.dim('info');
  } else if (c.fullSizeOnly && quick) {
    mark = pc.dim('— (full size only)');
  } else {
    mark = pass ? pc.green('PASS') : pc.red('FAIL');
    failed = !pass;
  }
  return { cells: [...head, fmt(m.value), runsCell, baselineCell, ratioCell, target, mark], failed };
}

async function main(): Promise<void> {
  const opts = parseCli();
  const selected = RUNS.filter((r) => opts.only.includes(r.workload));
  const runs = new Map(RUNS.map((r) => [r.key, r]));
  const outcomes = new Map<string, Outcome>();
  for (const r of selected) {
    outcomes.set(r.key, { lines: [], errors: [], implemented: existsSync(`${BENCH_DIR}${r.file}`) });
  }
  const todo = selected.filter((r) => outcomes.get(r.key)!.implemented);
  const skipped = selected.filter((r) => !outcomes.get(r.key)!.implemented);

  const cpu = cpus();
  const counts = [...new Set(todo.map((r) => repeatsOf(r, opts)))].sort((a, b) => a - b);
  const most = counts.length > 0 ? counts[counts.length - 1] : 1;
  // "3 or 7 repetitions (median; W1, W2: 7)" when runs differ in their repetitions.
  const mostRepeated = [...new Set(todo.filter((r) => repeatsOf(r, opts) === most).map((r) => r.workload))];
  const repetitions =
    counts.length <= 1
      ? `${most} repetition${most > 1 ? 's (median)' : ''}`
      : `${counts.join(' or ')} repetitions (median; ${mostRepeated.join(', ')}: ${most})`;
  const header =
    `sgsim bench — ${opts.quick ? 'quick sizes' : 'full sizes'}, ${repetitions}, ` +
    `node ${process.version}, ${cpu[0]?.model.trim() ?? 'unknown CPU'} ×${cpu.length}`;
  process.stderr.write(`${header}\n`);
  for (const r of skipped) process.stderr.write(`skip ${runName(r, opts.quick)}: not implemented yet (bench/${r.file} missing)\n`);

  // Repetitions are interleaved (a b a b …), so drift on a shared machine hits all alike.
  const progress = new Progress(todo.reduce((n, r) => n + repeatsOf(r, opts), 0));
  const allLines: Json[] = [];
  const failures: string[] = [];
  for (let rep = 1; rep <= most; rep++) {
    for (const r of todo) {
      if (rep > repeatsOf(r, opts)) continue;
      const name = `${runName(r, opts.quick)}${repeatsOf(r, opts) > 1 ? ` #${rep}` : ''}`;
      progress.start(name);
      const res = await runChild(r, opts.quick);
      const o = outcomes.get(r.key)!;
      if (res.error === undefined && res.line) {
        o.lines.push(res.line);
        allLines.push(res.line);
        const key = CHECKS.find((c) => c.key === r.key || (c.baseline?.kind === 'run' && c.baseline.key === r.key))?.metric;
        const v = key ? res.line[key] : undefined;
        progress.done(name, `${typeof v === 'number' ? `${fmt(v)} ${key}` : 'ok'} (${res.seconds.toFixed(1)} s)`);
      } else {
        const msg = res.error ?? 'unknown error';
        o.errors.push(msg);
        failures.push(`${name}: ${msg}`);
        allLines.push({ ...(res.line ?? {}), workload: r.workload, impl: r.impl, variant: variantOf(r, opts.quick), error: msg });
        progress.done(name, pc.red('FAILED'));
      }
    }
  }
  progress.stop();
  for (const f of failures) process.stderr.write(`${pc.red('error')} ${f}\n`);

  // Save the JSON lines (':' is left out of the ISO timestamp so the name is valid everywhere).
  let saved = 'nothing ran, nothing saved';
  if (allLines.length > 0) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const stamp = new Date().toISOString().replaceAll(':', '-');
    const body = allLines.map((l) => `${JSON.stringify(l)}\n`).join('');
    const outFile = `${RESULTS_DIR}${stamp}.jsonl`;
    writeFileSync(outFile, body);
    writeFileSync(`${RESULTS_DIR}latest.jsonl`, body);
    saved = `${outFile.replace(REPO_DIR, '')} (also bench/results/latest.jsonl)`;
  }

  // The table.
  const table = new Table({
    head: ['workload', 'impl', 'variant', 'metric', 'value', 'runs', 'baseline', 'ratio', 'target', 'result'],
    // Plain text when piped (cli-table3 colours regardless of the terminal otherwise).
    style: process.stdout.isTTY ? { head: ['cyan'] } : { head: [], border: [] },
  });
  let targetFailed = false;
  for (const c of CHECKS) {
    const run = runs.get(c.key);
    if (!run || !opts.only.includes(run.workload)) continue;
    const row = checkRow(c, runs, outcomes, opts.quick);
    targetFailed ||= row.failed;
    table.push(row.cells);
  }
  process.stdout.write(`\n${header}\n${table.toString()}\n`);
  process.stdout.write(`results: ${saved}\n`);

  if (failures.length > 0 || (opts.strict && targetFailed)) process.exitCode = 1;
}

await main();
