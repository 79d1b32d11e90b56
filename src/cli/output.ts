/**
 * cli/output: the run report as JSON, written as a stream.
 *
 * Owns: the bytes of `--json`. They are exactly those of `JSON.stringify(doc, null, 2)` of the
 * whole report (the golden reports are such documents), written as chunks of about 64 KiB
 * while the flow reports are built one at a time, so a run of 10^7 flows is written without
 * ever holding its report as one object or one string (which V8 cannot: a string is at most
 * 2^29 characters, "Invalid string length").
 * Does not own: the report's content (scenario/run.ts) or where the chunks go (cli/commands/run.ts).
 */
import type { Diagnostic, FlowReport, StreamingReport } from '../index.ts';

const CHUNK = 1 << 16;

/** `JSON.stringify(value, null, 2)` as it reads nested at `indent` (its lines after the first indented). */
function nested(value: unknown, indent: string): string {
  const s = JSON.stringify(value, null, 2);
  return indent === '' ? s : s.replaceAll('\n', `\n${indent}`);
}

/**
 * One scenario's report as JSON nested `depth` levels deep (depth 0: the document itself;
 * depth 2: an element of `scenarios`), without a trailing newline. `keep` picks the flows
 * listed (all by default).
 */
export function* reportJsonChunks(run: StreamingReport, depth: number, keep: (f: FlowReport) => boolean = () => true): Generator<string> {
  const pad = '  '.repeat(depth);
  const in1 = `${pad}  `;
  const in2 = `${in1}  `;
  const field = (key: string, value: unknown) => `${in1}${JSON.stringify(key)}: ${nested(value, in1)}`;
  const head = [field('version', run.version), field('scenario', run.scenario)];
  if (run.file !== undefined) head.push(field('file', run.file));
  head.push(field('seed', run.seed), field('passed', run.passed));
  let out = `{\n${head.join(',\n')},\n${in1}"flows": [`;
  let any = false;
  for (const f of run.flows()) {
    if (!keep(f)) continue;
    out += `${any ? ',' : ''}\n${in2}${nested(f, in2)}`;
    any = true;
    if (out.length >= CHUNK) {
      yield out;
      out = '';
    }
  }
  out += any ? `\n${in1}]` : ']';
  out += `,\n${field('expectations', run.expectations)},\n${field('stats', run.stats)}\n${pad}}`;
  yield out;
}

/** The several-files document `{version, scenarios, errors}`, in three parts around its reports. */
export const manyJson = {
  open: '{\n  "version": 1,\n  "scenarios": [',
  /** Before each report (the reports themselves: reportJsonChunks at depth 2). */
  before: (first: boolean) => `${first ? '' : ','}\n    `,
  close: (any: boolean, errors: readonly Diagnostic[]) => `${any ? '\n  ]' : ']'},\n  "errors": ${nested(errors, '  ')}\n}\n`,
};
