/**
 * analysis/report: the text summary. Its rows are exactly those cli-table3 drew before (the
 * oracle below is the former renderer's table), now in time linear in the flows; it ends with
 * the count of flows by outcome × code; --failed-only lists only failed flows; control and
 * bidi characters in names are escaped.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, palette, renderText, runScenario, type FlowReport, type Palette, type RunReport } from '../../src/index.ts';

const dir = join(import.meta.dirname, '..', '..', 'scenarios');
const GOOD = new Set(['connected', 'delivered', 'replied']);

/** The rows as the former renderer drew them with cli-table3 (its notes and tally apart). */
function oracleRows(report: RunReport, p: Palette): string[] {
  const table = new Table({
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
      'bottom-right': '', left: '  ', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ',
    },
    style: { 'padding-left': 0, 'padding-right': 1, head: [], border: [] },
  });
  const time = (ms: number) => (ms === 0 ? '0s' : ms >= 1000 ? `${+(ms / 1000).toFixed(3)}s` : `${+ms.toFixed(3)}ms`);
  for (const f of report.flows) {
    const port = f.port !== undefined ? (f.protocol === 'udp' ? ` udp/${f.port}` : ` tcp/${f.port}`) : f.protocol === 'icmp' ? ' icmp' : '';
    const what = f.action === 'transfer' ? `transfer on ${f.target}${port}` : `${f.action} ${f.from} → ${f.target === f.to ? f.to : `${f.target} (${f.to})`}${port}`;
    table.push([
      f.ok === undefined ? p.dim('·') : f.ok ? p.green('✓') : p.red('✗'),
      p.dim(time(f.atMs)),
      f.id ? p.cyan(f.repetition !== undefined ? `${f.id}[${f.repetition}]` : f.id) : p.dim(`#${f.index}`),
      what,
      GOOD.has(f.outcome) ? p.green(f.outcome) : f.outcome === 'refused' ? p.yellow(f.outcome) : p.red(f.outcome),
      f.path ? `${f.path}${f.redirected ? ' (redirected)' : ''}` : '-',
      f.source ? `from ${f.source}` : '',
      GOOD.has(f.outcome)
        ? p.dim(f.explanation.code === 'ALLOWED_BY_RULE' && f.explanation.group ? `${f.explanation.code} (${f.explanation.group})` : f.explanation.code)
        : `${f.explanation.code}: ${f.explanation.message}`,
    ]);
  }
  return table.toString().split('\n').map((l) => l.trimEnd());
}

async function reports(): Promise<RunReport[]> {
  const out: RunReport[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const l = await loadScenarioFile(join(dir, f));
    if (l.ok) out.push(runScenario(l.spec, { file: `scenarios/${f}` }));
  }
  return out;
}

/** The summary's flow rows: the lines after the head, up to the count line, notes (↳) apart. */
function rowsOf(text: string): string[] {
  const lines = text.split('\n');
  const end = lines.findIndex((l, i) => i > 0 && /^(\u001b\[\d+m)?  \d+ flows?, /.test(l));
  return lines.slice(1, end).filter((l) => !l.includes('↳') && !l.includes('(--failed-only'));
}

describe('renderText', () => {
  it('draws every flow row exactly as cli-table3 did, with and without colour', async () => {
    for (const report of await reports()) {
      for (const color of [false, true]) {
        const p = palette(color);
        expect(rowsOf(renderText(report, p))).toEqual(oracleRows(report, p));
      }
    }
  });

  it('measures wide and combining characters as cli-table3 did (string-width)', async () => {
    const [report] = await reports();
    const names = ['名前', 'a🙂b', 'e\u0301t\u00e9', 'Ω≈ç√', 'x'];
    const wide: RunReport = { ...report, flows: report.flows.map((f, i) => ({ ...f, id: names[i % names.length], from: names[(i + 1) % names.length] })) };
    const p = palette(false);
    expect(rowsOf(renderText(wide, p))).toEqual(oracleRows(wide, p));
  });

  it('ends with the count of flows by outcome and code, every flow counted once', async () => {
    const report = (await reports()).find((r) => new Set(r.flows.map((f) => f.explanation.code)).size > 2)!;
    const text = renderText(report, palette(false));
    const tally = text.trimEnd().split('\n').slice(-new Set(report.flows.map((f) => `${f.outcome} ${f.explanation.code}`)).size);
    let sum = 0;
    for (const line of tally) {
      const m = /^ {4}( *\d+) {2}(\w+) +([A-Z_]+)$/.exec(line);
      expect(m, line).not.toBeNull();
      const [, n, outcome, code] = m!;
      expect(Number(n)).toBe(report.flows.filter((f) => f.outcome === outcome && f.explanation.code === code).length);
      sum += Number(n);
    }
    expect(sum).toBe(report.flows.length);
  });

  it('--failed-only lists only the flows whose expectation failed, and says how many of all', async () => {
    const [report] = await reports();
    const flows: FlowReport[] = report.flows.map((f, i) => (i === 1 ? { ...f, ok: false, mismatches: { outcome: 'timeout' } } : f));
    const text = renderText({ ...report, flows }, palette(false), { failedOnly: true });
    expect(rowsOf(text)).toHaveLength(1);
    expect(rowsOf(text)[0]).toMatch(/^ {2}✗ /);
    expect(text).toContain(`(--failed-only: 1 of ${flows.length} flows shown)`);
    expect(text).toContain('↳ outcome: expected');
  });

  it('escapes control and bidi characters in names and messages, so a row stays one line', async () => {
    const [report] = await reports();
    const evil: RunReport = { ...report, scenario: 'a\nb', flows: report.flows.map((f) => ({ ...f, id: 'x\u202ey\u0007' })) };
    const text = renderText(evil, palette(false));
    expect(text.split('\n')[0]).toBe(`a\\nb  ${report.file}  seed ${report.seed}`);
    expect(text).toContain('x\\u202ey\\u0007');
    expect(text).not.toMatch(/[\u202e\u0007]/);
  });

  it('--timing adds a line with the run\'s statistics', async () => {
    const [report] = await reports();
    const text = renderText({ ...report, stats: { ...report.stats, wallMs: 12.5 } }, palette(false), { timing: true, loadMs: 3 });
    expect(text).toMatch(/\n {2}loaded in 3ms, ran in 12\.5ms: \d+ events, \d+ packets, \d+ drops?, [\d.]+m?s simulated\n$/);
  });

  it('summarises 50,000 flows in well under the seconds cli-table3 needed (linear)', async () => {
    const [report] = await reports();
    const flows = Array.from({ length: 50_000 }, (_, i) => ({ ...report.flows[i % report.flows.length], index: i, id: `flow-${i}` }));
    const start = performance.now();
    const text = renderText({ ...report, flows }, palette(false));
    expect(performance.now() - start).toBeLessThan(5000);
    expect(text.split('\n').length).toBeGreaterThan(50_000);
  });
});
