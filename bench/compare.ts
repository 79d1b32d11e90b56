/**
 * bench/compare: one benchmark, two versions of sgsim, run alternately on the same machine.
 *
 *   npx tsx bench/compare.ts --base <git rev> [--runs 5] [--metric loop_s] <bench file> [-- args]
 *
 * Owns: checking out the base revision in a temporary git worktree (sharing this checkout's
 * node_modules), running `node --import tsx <bench file> <args>` there and here alternately
 * (base, head, base, head, …: drift on a shared machine hits both alike), the medians of one
 * metric of their JSON lines and head/base, and the check that both decided the same: every
 * outcome count either side printed (OUTCOME_KEYS) must be equal, run for run.
 * A single whole run drifts by ±20% here (docs/performance.md); this is how the changes in
 * docs/performance.md were measured.
 * Does not own: the workloads (bench/w*.ts) or the judged run (bench/run.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Keys of a workload's JSON line that count what the simulation decided (W1-W4). */
export const OUTCOME_KEYS = [
  // The events the model ran; where a line also says how many the kernel ran (`events` beside
  // `events_model`: W3, whose fabric elides the events of fast-forwarded connects), only the
  // model's count is an outcome: the kernel's falls when more are elided.
  'events',
  'events_model',
  'fired',
  'sent',
  'requests_delivered',
  'replies_delivered',
  'connected',
  'refused',
  'timeout',
  'unresolved',
  'packets',
  'drops',
  'codes',
  'decisions',
  'admitted',
] as const;

const HELP = `usage: npx tsx bench/compare.ts --base <git rev> [options] <bench file> [-- <its args>]

Runs one benchmark of the base revision (in a temporary git worktree) and of this checkout
alternately, and prints the median of one metric for each and their ratio.

options:
  --base REV       the revision to compare against (required), e.g. HEAD~1 or main
  --runs N         runs of each (default 5)
  --metric KEY     the key of the JSON line to compare (default loop_s; e.g. flows_per_s,
                   events_per_s, exchanges_per_s)
  -h, --help       this text

example:
  npx tsx bench/compare.ts --base HEAD~1 bench/w3-scale.ts -- --instances 200000 --flows 500000

Exit status: 0; 1 when a run failed or the two sides decided differently (an outcome count
differs); 2 for a usage error.`;

export interface RunLine {
  readonly values: Record<string, unknown>;
}

/** A metric as printed: six significant digits at most (a mean of two can be 6.5184999999999995). */
export function shown(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/** The median of numbers (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The outcome counts of a JSON line, as one comparable string (keys in OUTCOME_KEYS order). */
export function outcomesOf(line: Record<string, unknown>): string {
  const keys = OUTCOME_KEYS.filter((k) => k in line && !(k === 'events' && 'events_model' in line));
  return JSON.stringify(keys.map((k) => [k, line[k]]));
}

/** The last line of a child's stdout that parses as a JSON object, or null. */
export function lastJsonLine(stdout: string): Record<string, unknown> | null {
  const lines = stdout.trim().split('\n').reverse();
  for (const l of lines) {
    try {
      const v: unknown = JSON.parse(l);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // not JSON: keep looking
    }
  }
  return null;
}

function fail(message: string, code: number): never {
  process.stderr.write(`compare: ${message}\n`);
  process.exit(code);
}

function runOnce(dir: string, file: string, args: readonly string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--max-old-space-size=16384', '--import', 'tsx', file, ...args], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const line = r.status === 0 ? lastJsonLine(r.stdout) : null;
  if (line === null) {
    const why = r.error ? r.error.message : `exit status ${r.status}${r.signal ? `, signal ${r.signal}` : ''}`;
    fail(`${file} in ${dir} printed no JSON line (${why})\n${r.stderr.trim().split('\n').slice(-5).join('\n')}`, 1);
  }
  return line;
}

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        base: { type: 'string' },
        runs: { type: 'string', default: '5' },
        metric: { type: 'string', default: 'loop_s' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n\n${HELP}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  if (values.base === undefined) fail(`--base is required\n\n${HELP}`, 2);
  const runs = Number(values.runs);
  if (!Number.isSafeInteger(runs) || runs < 1) fail(`--runs must be a positive integer, got ${JSON.stringify(values.runs)}`, 2);
  const [file, ...args] = positionals;
  if (file === undefined) fail(`a bench file is required (e.g. bench/w3-scale.ts)\n\n${HELP}`, 2);
  if (!existsSync(join(REPO_DIR, file))) fail(`no such bench file here: ${file}`, 2);
  const metric = values.metric!;

  const rev = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${values.base}^{commit}`], { cwd: REPO_DIR, encoding: 'utf8' });
  if (rev.status !== 0) fail(`not a revision of this repository: ${values.base}`, 2);
  const commit = rev.stdout.trim();
  const baseDir = mkdtempSync(join(tmpdir(), 'sgsim-compare-'));
  const cleanup = () => {
    spawnSync('git', ['worktree', 'remove', '--force', baseDir], { cwd: REPO_DIR });
    rmSync(baseDir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  const add = spawnSync('git', ['worktree', 'add', '--detach', '--quiet', baseDir, commit], { cwd: REPO_DIR, encoding: 'utf8' });
  if (add.status !== 0) fail(`git worktree add failed: ${add.stderr.trim()}`, 1);
  symlinkSync(join(REPO_DIR, 'node_modules'), join(baseDir, 'node_modules'));
  if (!existsSync(join(baseDir, file))) fail(`${file} does not exist at ${values.base}`, 2);

  const sides = [
    { name: 'base', dir: baseDir, values: [] as number[], outcomes: [] as string[] },
    { name: 'head', dir: REPO_DIR, values: [] as number[], outcomes: [] as string[] },
  ];
  process.stderr.write(`compare: ${file} ${args.join(' ')}: base ${values.base} (${commit.slice(0, 8)}) against this checkout, ${runs} runs each, alternately\n`);
  for (let i = 1; i <= runs; i++) {
    for (const side of sides) {
      const line = runOnce(side.dir, file, args);
      const v = line[metric];
      if (typeof v !== 'number') fail(`${side.name}'s JSON line has no number "${metric}" (keys: ${Object.keys(line).join(', ')})`, 2);
      side.values.push(v);
      side.outcomes.push(outcomesOf(line));
      process.stderr.write(`  run ${i}/${runs} ${side.name}: ${metric} ${v}\n`);
    }
  }
  const [base, head] = sides;
  const mb = median(base.values);
  const mh = median(head.values);
  const fmt = (xs: number[]) => xs.map((x) => String(x)).join(', ');
  process.stdout.write(`${metric}, median of ${runs} (runs in order):\n`);
  process.stdout.write(`  base ${values.base} (${commit.slice(0, 8)}): ${shown(mb)}   (${fmt(base.values)})\n`);
  process.stdout.write(`  head (this checkout): ${shown(mh)}   (${fmt(head.values)})\n`);
  process.stdout.write(`  head / base: ${(mh / mb).toFixed(3)}\n`);
  const differ = base.outcomes.some((o, i) => o !== head.outcomes[i] || o !== base.outcomes[0]);
  if (differ) {
    process.stdout.write(`outcome counts DIFFER:\n  base: ${base.outcomes[0]}\n  head: ${head.outcomes[0]}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`outcome counts identical in every run: ${base.outcomes[0]}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
