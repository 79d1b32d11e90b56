/**
 * analysis/report: run reports for people.
 *
 * Owns: the readable summary of a run — one line per flow (outcome, path, the source the
 * receiver saw, and for a failure the explanation) in aligned columns, what an unmet
 * expectation expected, the closing tally, and the count of flows by outcome × code — with or
 * without colour, written as a sequence of chunks in time linear in the flows (two passes over
 * the flows: one measures the columns, one writes the lines). Names and messages are shown with
 * control and bidi characters escaped, so a row is always one line and reads as written.
 * Reads reports only; decides nothing.
 * Does not own: the JSON report (scenario/run.ts builds it; cli/output.ts writes it).
 */
import pc from 'picocolors';
import stringWidth from 'string-width';
import type { FlowReport, RunReport, StreamingReport } from '../scenario/run.ts';

export interface Palette {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
}

export function palette(color: boolean): Palette {
  const c = pc.createColors(color);
  return { green: c.green, red: c.red, yellow: c.yellow, dim: c.dim, bold: c.bold, cyan: c.cyan };
}

/** `1 flow`, `2 flows`; `words` when the plural is not `word` + s. */
export function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

export interface TextOptions {
  /** List only the flows whose expectation failed (the tallies still count every flow). */
  readonly failedOnly?: boolean;
  /** Add a line with the run's statistics and wall time (and `loadMs`, when given). */
  readonly timing?: boolean;
  /** Milliseconds the file took to load, for the timing line. */
  readonly loadMs?: number;
}

const GOOD = new Set(['connected', 'delivered', 'replied']);
/** Outcomes in the order the outcome × code tally lists them. */
const OUTCOME_ORDER = ['connected', 'delivered', 'replied', 'refused', 'timeout', 'dropped'];

function formatTime(ms: number): string {
  if (ms === 0) return '0s';
  if (ms >= 1000) return `${+(ms / 1000).toFixed(3)}s`;
  return `${+ms.toFixed(3)}ms`;
}

// C0 and C1 controls, and the marks and overrides that reorder text (bidi).
// eslint-disable-next-line no-control-regex
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every control and bidi character written as an escape (`\n`, `\u202e`). */
export function escapeForDisplay(s: string): string {
  if (!UNSHOWABLE.test(s)) return s;
  UNSHOWABLE.lastIndex = 0;
  return s.replace(UNSHOWABLE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Characters one column wide that a summary shows in every row, besides printable ASCII. */
const NARROW = /^[\u0020-\u007e→✓✗·↳]*$/;

/** Terminal columns a (colourless, escaped) cell takes (string-width, as cli-table3 measured them). */
function width(s: string): number {
  return NARROW.test(s) ? s.length : stringWidth(s);
}

function what(f: FlowReport): string {
  const port = f.port !== undefined ? (f.protocol === 'udp' ? ` udp/${f.port}` : ` tcp/${f.port}`) : f.protocol === 'icmp' ? ' icmp' : '';
  if (f.action === 'transfer') return `transfer on ${f.target}${port}`;
  const addr = f.target === f.to ? f.to : `${f.target} (${f.to})`;
  return `${f.action} ${f.from} → ${addr}${port}`;
}

const COLUMNS = 8;
type Paint = (s: string) => string;
const plain: Paint = (s) => s;

/** A flow's row: each column's text (escaped, colourless) and the colour it is shown in. */
function row(f: FlowReport, p: Palette, text: string[], paint: Paint[]): void {
  text[0] = f.ok === undefined ? '·' : f.ok ? '✓' : '✗';
  paint[0] = f.ok === undefined ? p.dim : f.ok ? p.green : p.red;
  text[1] = formatTime(f.atMs);
  paint[1] = p.dim;
  // A repeated entry's flows share its id: each is shown with its repetition, id[k].
  text[2] = f.id ? escapeForDisplay(f.repetition !== undefined ? `${f.id}[${f.repetition}]` : f.id) : `#${f.index}`;
  paint[2] = f.id ? p.cyan : p.dim;
  text[3] = escapeForDisplay(what(f));
  paint[3] = plain;
  text[4] = f.outcome;
  paint[4] = GOOD.has(f.outcome) ? p.green : f.outcome === 'refused' ? p.yellow : p.red;
  text[5] = f.path ? `${f.path}${f.redirected ? ' (redirected)' : ''}` : '-';
  paint[5] = plain;
  text[6] = f.source ? `from ${f.source}` : '';
  paint[6] = plain;
  const e = f.explanation;
  if (GOOD.has(f.outcome)) {
    text[7] = escapeForDisplay(e.code === 'ALLOWED_BY_RULE' && e.group ? `${e.code} (${e.group})` : e.code);
    paint[7] = p.dim;
  } else {
    text[7] = escapeForDisplay(`${e.code}: ${e.message}`);
    paint[7] = plain;
  }
}

/** What an unmet expectation expected: printed under its row, outside the columns. */
function mismatchNote(f: FlowReport, p: Palette): string | null {
  if (f.ok !== false || !f.mismatches) return null;
  const parts = Object.entries(f.mismatches).map(
    ([k, got]) => `${k}: expected ${JSON.stringify((f.expected as Record<string, unknown>)[k])}, got ${JSON.stringify(got)}`,
  );
  return p.red(escapeForDisplay(`       ↳ ${parts.join('; ')}`));
}

function flowsOf(report: RunReport | StreamingReport): () => Iterable<FlowReport> {
  return Array.isArray(report.flows) ? () => report.flows as FlowReport[] : () => (report as StreamingReport).flows();
}

/**
 * The readable summary of one scenario's run, as chunks of text (about 64 KiB each) whose
 * concatenation is the summary; the last ends with a newline.
 */
export function* renderTextChunks(report: RunReport | StreamingReport, p: Palette, options: TextOptions = {}): Generator<string> {
  const flows = flowsOf(report);
  const shown = (f: FlowReport) => !options.failedOnly || f.ok === false;
  // Pass 1: column widths of the rows shown, and the tallies of every flow.
  const widths = new Array<number>(COLUMNS).fill(0);
  const text = new Array<string>(COLUMNS);
  const paint = new Array<Paint>(COLUMNS);
  const byOutcome = new Map<string, Map<string, number>>();
  let count = 0;
  let rows = 0;
  for (const f of flows()) {
    count++;
    let codes = byOutcome.get(f.outcome);
    if (!codes) byOutcome.set(f.outcome, (codes = new Map()));
    codes.set(f.explanation.code, (codes.get(f.explanation.code) ?? 0) + 1);
    if (!shown(f)) continue;
    rows++;
    row(f, p, text, paint);
    for (let i = 0; i < COLUMNS; i++) {
      const w = width(text[i]);
      if (w > widths[i]) widths[i] = w;
    }
  }
  const head = `${p.bold(escapeForDisplay(report.scenario))}${report.file ? p.dim(`  ${escapeForDisplay(report.file)}`) : ''}${p.dim(`  seed ${escapeForDisplay(report.seed)}`)}`;
  let out = `${head}\n`;
  // Pass 2: the rows, each cell padded to its column's width plus one, columns one space apart.
  if (count === 0) out += `${p.dim('  (no flows)')}\n`;
  for (const f of flows()) {
    if (!shown(f)) continue;
    row(f, p, text, paint);
    let line = '  ';
    for (let i = 0; i < COLUMNS; i++) {
      if (i > 0) line += ' ';
      line += paint[i](text[i]) + ' '.repeat(widths[i] - width(text[i]) + 1);
    }
    out += `${line.trimEnd()}\n`;
    const note = mismatchNote(f, p);
    if (note !== null) out += `${note}\n`;
    if (out.length >= 1 << 16) {
      yield out;
      out = '';
    }
  }
  if (options.failedOnly && count > 0) out += `${p.dim(`  (--failed-only: ${rows} of ${plural(count, 'flow')} shown)`)}\n`;
  const e = report.expectations;
  const total = plural(count, 'flow');
  out +=
    e.total === 0
      ? `  ${total}, no expectations\n`
      : e.failed === 0
        ? `${p.green(`  ${total}, ${plural(e.total, 'expectation')} met`)}\n`
        : `${p.red(`  ${total}, ${e.failed} of ${e.total} expectations failed`)}\n`;
  out += tallyLines(byOutcome, p);
  if (options.timing) {
    const s = report.stats;
    const load = options.loadMs !== undefined ? `loaded in ${formatTime(options.loadMs)}, ` : '';
    out += `${p.dim(`  ${load}ran in ${formatTime(s.wallMs)}: ${plural(s.events, 'event')}, ${plural(s.packets, 'packet')}, ${plural(s.drops, 'drop')}, ${formatTime(s.simulatedMs)} simulated`)}\n`;
  }
  yield out;
}

/** The count of flows by outcome × code, one aligned line each (none for a run without flows). */
function tallyLines(byOutcome: Map<string, Map<string, number>>, p: Palette): string {
  const outcomes = [...byOutcome.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const lines: [string, string, string][] = [];
  for (const o of outcomes) {
    const codes = [...byOutcome.get(o)!].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [code, n] of codes) lines.push([String(n), o, code]);
  }
  const wn = Math.max(0, ...lines.map((l) => l[0].length));
  const wo = Math.max(0, ...lines.map((l) => l[1].length));
  return lines
    .map(([n, o, code]) => {
      const colour = GOOD.has(o) ? p.green : o === 'refused' ? p.yellow : p.red;
      return `    ${n.padStart(wn)}  ${colour(o)}${' '.repeat(wo - o.length)}  ${p.dim(code)}\n`;
    })
    .join('');
}

function rank(outcome: string): number {
  const i = OUTCOME_ORDER.indexOf(outcome);
  return i < 0 ? OUTCOME_ORDER.length : i;
}

/** The readable summary of one scenario's run. */
export function renderText(report: RunReport | StreamingReport, p: Palette, options: TextOptions = {}): string {
  return [...renderTextChunks(report, p, options)].join('');
}
