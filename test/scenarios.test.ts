/**
 * The scenarios in scenarios/ as golden tests: each loads, meets every expectation, has an
 * expectation on every flow, and produces exactly the stored JSON report (test/golden/), so any
 * change in behaviour or determinism shows up as a diff to review.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, runScenario } from '../src/index.ts';

const dir = join(import.meta.dirname, '..', 'scenarios');
const files = readdirSync(dir).filter((f) => /\.(ya?ml|json|ts)$/.test(f)).sort();

describe('scenarios/', () => {
  it('holds the seven seed scenarios and at least three dynamics scenarios', () => {
    for (let i = 1; i <= 7; i++) expect(files.some((f) => f.startsWith(`0${i}-`))).toBe(true);
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(files.some((f) => f.endsWith('.ts'))).toBe(true);
  });

  for (const file of files) {
    it(`${file} runs with every expectation met`, async () => {
      const loaded = await loadScenarioFile(join(dir, file));
      if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
      const report = runScenario(loaded.spec, { file: `scenarios/${file}` });
      const failures = report.flows.filter((f) => f.ok === false).map((f) => `${f.id ?? f.index}: ${JSON.stringify(f.mismatches)}`);
      expect(failures).toEqual([]);
      expect(report.passed).toBe(true);
      // Every flow carries an expectation.
      expect(report.flows.filter((f) => f.ok === undefined).map((f) => f.id ?? f.index)).toEqual([]);
      await expect(JSON.stringify(report, null, 2) + '\n').toMatchFileSnapshot(join('golden', file.replace(/\.(ya?ml|json|ts)$/, '.json')));
      // The plan of hops alone (no fast path) gives the same report (fabric/path/plan.ts).
      expect(JSON.stringify(runScenario(loaded.spec, { file: `scenarios/${file}`, fastPaths: false }))).toBe(JSON.stringify(report));
    });
  }

  it('a run is byte-identical when repeated, trace included', async () => {
    const loaded = await loadScenarioFile(join(dir, '04-group-added-to-itself.yaml'));
    if (!loaded.ok) throw new Error('invalid');
    const once = () => {
      const lines: string[] = [];
      const report = runScenario(loaded.spec, { trace: (e) => lines.push(JSON.stringify(e)) });
      return JSON.stringify(report) + lines.join('\n');
    };
    expect(once()).toBe(once());
  });

  it('another seed changes the assigned addresses but not the outcomes', async () => {
    const loaded = await loadScenarioFile(join(dir, '04-group-added-to-itself.yaml'));
    if (!loaded.ok) throw new Error('invalid');
    const a = runScenario(loaded.spec);
    const b = runScenario(loaded.spec, { seed: 'another' });
    expect(b.seed).toBe('another');
    expect(b.flows.map((f) => f.outcome)).toEqual(a.flows.map((f) => f.outcome));
    expect(b.flows.map((f) => f.to)).not.toEqual(a.flows.map((f) => f.to));
    expect(b.passed).toBe(true);
  });
});
