/**
 * bench/w7-reports: W7, "reports" (benchmarks.md): the writers of `sgsim run` on a run of
 * 10^5 flows — the text summary, `--json`, and `--trace` — each timed on its own.
 *
 *   node --import tsx bench/w7-reports.ts --writer text|json|trace [--flows 100000] [--seed S]
 *
 * Owns: the W7 run — a generated classic world (2,000 instances, 40 groups, 8 rules each, 2
 * regions) with F traffic entries (varied actions, names, outcomes and messages, as a user's
 * generated world has), loaded and run untimed; then the writer, timed as `loop_s`, writing
 * to a file in the temporary directory as the CLI does (the same modules: renderTextChunks,
 * cli/output's reportJsonChunks, the trace's JSON lines). For `trace` the run records its
 * events (untimed) and the timed part turns them into JSON lines and writes them. Target:
 * every writer ≤ 5 s at 10^5 flows (benchmarks.md: "10^5 flows summarised in ≤ 5 s").
 * Does not own: the writers (src/analysis/report.ts, src/cli/output.ts) or the runner.
 */
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { reportJsonChunks } from '../src/cli/output.ts';
import { generateScenario, palette, renderTextChunks, runScenarioStreaming, validateScenario, type TraceEvent } from '../src/index.ts';
import { emitResult, peakRssMb, positiveInt, round, secondsSince } from './common.ts';

const WRITERS = ['text', 'json', 'trace'] as const;
type Writer = (typeof WRITERS)[number];

const { values } = parseArgs({ options: { writer: { type: 'string' }, flows: { type: 'string' }, seed: { type: 'string' } } });
const writer = values.writer as Writer;
if (!WRITERS.includes(writer)) {
  process.stderr.write(`--writer must be one of ${WRITERS.join(', ')}\n`);
  process.exit(2);
}
const flows = positiveInt(values.flows, 'flows', 100_000);
const seed = values.seed ?? 'w7';

const doc = generateScenario({ instances: 2000, groups: 40, rulesPerGroup: 8, regions: 2, seed, flows });
const valid = validateScenario(doc, 'w7.yaml');
if (!valid.ok) throw new Error(`the generated scenario is invalid: ${valid.diagnostics[0].message}`);
const events: TraceEvent[] = [];
const run = runScenarioStreaming(valid.spec, { file: 'w7.yaml', trace: writer === 'trace' ? (e) => events.push(e) : null });

const out = join(tmpdir(), `sgsim-w7-${process.pid}.${writer === 'text' ? 'txt' : writer === 'json' ? 'json' : 'jsonl'}`);
const fd = openSync(out, 'w');
const write = (s: string) => {
  const b = Buffer.from(s);
  for (let off = 0; off < b.length; ) off += writeSync(fd, b, off);
};

const start = process.hrtime.bigint();
if (writer === 'text') {
  for (const s of renderTextChunks(run, palette(false))) write(s);
} else if (writer === 'json') {
  for (const s of reportJsonChunks(run, 0)) write(s);
  write('\n');
} else {
  let buffer = JSON.stringify({ ev: 'scenario', file: 'w7.yaml', scenario: run.scenario, seed: run.seed }) + '\n';
  for (const e of events) {
    buffer += JSON.stringify(e) + '\n';
    if (buffer.length > 1 << 16) {
      write(buffer);
      buffer = '';
    }
  }
  write(buffer);
}
closeSync(fd);
const loop = secondsSince(start);
const bytes = statSync(out).size;
rmSync(out, { force: true });

emitResult({
  workload: 'W7',
  impl: 'sgsim',
  writer,
  flows: run.flowCount,
  loop_s: round(loop, 3),
  bytes,
  ...(writer === 'trace' ? { events: events.length } : {}),
  peak_rss_mb: peakRssMb(),
});
