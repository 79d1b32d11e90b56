/**
 * analysis/report: run reports for people.
 *
 * Owns: the readable summary of a run — one line per flow (outcome, path, the source the
 * receiver saw, and for a failure the explanation), what an unmet expectation expected, and a
 * closing tally — with or without colour. Reads reports only; decides nothing.
 * Does not own: the JSON report (scenario/run.ts builds it; the CLI prints it as is).
 */
import Table from 'cli-table3';
import pc from 'picocolors';
import type { FlowReport, RunReport } from '../scenario/run.ts';

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

const GOOD = new Set(['connected', 'delivered', 'replied']);

function formatTime(ms: number): string {
  if (ms === 0) return '0s';
  if (ms >= 1000) return `${+(ms / 1000).toFixed(3)}s`;
  return `${+ms.toFixed(3)}ms`;
}

function what(f: FlowReport): string {
  const port = f.port !== undefined ? (f.protocol === 'udp' ? ` udp/${f.port}` : ` tcp/${f.port}`) : f.protocol === 'icmp' ? ' icmp' : '';
  if (f.action === 'transfer') return `transfer on ${f.target}${port}`;
  const addr = f.target === f.to ? f.to : `${f.target} (${f.to})`;
  return `${f.action} ${f.from} → ${addr}${port}`;
}

/** The readable summary of one scenario's run. */
export function renderText(report: RunReport, p: Palette): string {
  const head = `${p.bold(report.scenario)}${report.file ? p.dim(`  ${report.file}`) : ''}${p.dim(`  seed ${report.seed}`)}`;
  const table = new Table({
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
      'bottom-right': '', left: '  ', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ',
    },
    style: { 'padding-left': 0, 'padding-right': 1, head: [], border: [] },
  });
  // What an unmet expectation expected, by row: printed under the row, outside the table, so a
  // long line does not widen the table's columns.
  const notes = new Map<number, string>();
  for (const f of report.flows) {
    const mark = f.ok === undefined ? p.dim('·') : f.ok ? p.green('✓') : p.red('✗');
    const outcome = GOOD.has(f.outcome) ? p.green(f.outcome) : f.outcome === 'refused' ? p.yellow(f.outcome) : p.red(f.outcome);
    const path = f.path ? `${f.path}${f.redirected ? ' (redirected)' : ''}` : '-';
    const seen = f.source ? `from ${f.source}` : '';
    const reason = GOOD.has(f.outcome)
      ? p.dim(f.explanation.code === 'ALLOWED_BY_RULE' && f.explanation.group ? `${f.explanation.code} (${f.explanation.group})` : f.explanation.code)
      : `${f.explanation.code}: ${f.explanation.message}`;
    // A repeated entry's flows share its id: each is shown with its repetition, id[k].
    const name = f.id ? p.cyan(f.repetition !== undefined ? `${f.id}[${f.repetition}]` : f.id) : p.dim(`#${f.index}`);
    table.push([mark, p.dim(formatTime(f.atMs)), name, what(f), outcome, path, seen, reason]);
    if (f.ok === false && f.mismatches) {
      const parts = Object.entries(f.mismatches).map(
        ([k, got]) => `${k}: expected ${JSON.stringify((f.expected as Record<string, unknown>)[k])}, got ${JSON.stringify(got)}`,
      );
      notes.set(table.length - 1, p.red(`       ↳ ${parts.join('; ')}`));
    }
  }
  const e = report.expectations;
  const flows = plural(report.flows.length, 'flow');
  const tally =
    e.total === 0
      ? `  ${flows}, no expectations`
      : e.failed === 0
        ? p.green(`  ${flows}, ${plural(e.total, 'expectation')} met`)
        : p.red(`  ${flows}, ${e.failed} of ${e.total} expectations failed`);
  const lines: string[] = [];
  if (report.flows.length) {
    table
      .toString()
      .split('\n')
      .forEach((l, i) => {
        lines.push(l.trimEnd());
        const note = notes.get(i);
        if (note !== undefined) lines.push(note);
      });
  }
  const body = report.flows.length ? lines.join('\n') : p.dim('  (no flows)');
  return `${head}\n${body}\n${tally}\n`;
}
