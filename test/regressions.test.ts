/**
 * Scenario files of bugs found (most by the property tests' counterexamples) and fixed: each
 * must run to the end with every expectation met, and give the same report without the
 * fabric's fast-forward, and without any fast path (the plan of hops alone).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, runScenario } from '../src/index.ts';

const dir = join(import.meta.dirname, 'regressions');

describe('test/regressions/', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    it(`${file} meets its expectations`, async () => {
      const loaded = await loadScenarioFile(join(dir, file));
      if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
      const report = runScenario(loaded.spec);
      expect(report.flows.filter((f) => f.ok === false)).toEqual([]);
      expect(report.expectations.total).toBeGreaterThan(0);
      // The fabric's fast-forward changes no report (Fabric.fastForward).
      expect(JSON.stringify(runScenario(loaded.spec, { fastForward: false }))).toBe(JSON.stringify(report));
      // Nor does any fast path: the plan of hops alone gives the same report (fabric/path/plan.ts).
      expect(JSON.stringify(runScenario(loaded.spec, { fastPaths: false }))).toBe(JSON.stringify(report));
    });
  }
});
