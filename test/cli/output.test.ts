/**
 * cli/output: the streamed --json is exactly JSON.stringify(doc, null, 2) of the whole report,
 * nested or not, with or without flows, and in chunks of bounded size.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportJsonChunks, manyJson } from '../../src/cli/output.ts';
import { loadScenarioFile, runScenario, runScenarioStreaming, type Diagnostic, type ScenarioSpec } from '../../src/index.ts';

const dir = join(import.meta.dirname, '..', '..', 'scenarios');

async function specs(): Promise<ScenarioSpec[]> {
  const out: ScenarioSpec[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const l = await loadScenarioFile(join(dir, f));
    if (l.ok) out.push(l.spec);
  }
  return out;
}

describe('reportJsonChunks', () => {
  it('writes each scenario\'s report as JSON.stringify does, at depth 0 and nested in {version, scenarios, errors}', async () => {
    const all = await specs();
    expect(all.length).toBeGreaterThan(5);
    const errors: Diagnostic[] = [{ file: 'x.yaml', path: 'groups.A', message: 'bad "quoted" \u202e' }];
    let many = manyJson.open;
    all.forEach((spec, i) => {
      const report = runScenario(spec, { file: `f${i}` });
      const one = [...reportJsonChunks(runScenarioStreaming(spec, { file: `f${i}` }), 0)].join('');
      expect(one).toBe(JSON.stringify(report, null, 2));
      many += manyJson.before(i === 0) + [...reportJsonChunks(runScenarioStreaming(spec, { file: `f${i}` }), 2)].join('');
    });
    many += manyJson.close(true, errors);
    const doc = { version: 1, scenarios: all.map((s, i) => runScenario(s, { file: `f${i}` })), errors };
    expect(many).toBe(JSON.stringify(doc, null, 2) + '\n');
    expect(manyJson.open + manyJson.close(false, [])).toBe(JSON.stringify({ version: 1, scenarios: [], errors: [] }, null, 2) + '\n');
  });

  it('writes a report with no flows listed (none kept) as JSON.stringify writes an empty list', async () => {
    const [spec] = await specs();
    const report = { ...runScenario(spec), flows: [] };
    expect([...reportJsonChunks(runScenarioStreaming(spec), 1, () => false)].join('')).toBe(JSON.stringify(report, null, 2).replaceAll('\n', '\n  '));
  });

  it('keeps chunks small: a run of 20,000 flows comes in chunks of about 64 KiB', async () => {
    const [spec] = await specs();
    const big: ScenarioSpec = { ...spec, timeline: spec.timeline.map((e, i) => (i === 0 && e.action.kind !== 'close' ? { ...e, repeat: { every: 1_000_000, count: 20_000 } } : e)) };
    const chunks = [...reportJsonChunks(runScenarioStreaming(big), 0)];
    expect(chunks.length).toBeGreaterThan(50);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(70_000);
    expect(JSON.parse(chunks.join('')).flows.length).toBeGreaterThanOrEqual(20_000);
  });
});
