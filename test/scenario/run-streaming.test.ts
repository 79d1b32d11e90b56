/**
 * runScenarioStreaming: the same report as runScenario, its flows built on demand (as often
 * as they are read), and the judged counts (passed, expectations) agree with the flows.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioFlowCount, loadScenarioFile, runScenario, runScenarioStreaming } from '../../src/index.ts';

const dir = join(import.meta.dirname, '..', '..', 'scenarios');

describe('runScenarioStreaming', () => {
  it('gives every scenario the report runScenario gives, flow for flow, each time flows() is read', async () => {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
      const l = await loadScenarioFile(join(dir, f));
      if (!l.ok) throw new Error(f);
      const whole = runScenario(l.spec, { file: f });
      const run = runScenarioStreaming(l.spec, { file: f });
      expect(run.flowCount).toBe(whole.flows.length);
      expect(scenarioFlowCount(l.spec)).toBe(whole.flows.length);
      expect([...run.flows()]).toEqual(whole.flows);
      expect([...run.flows()]).toEqual(whole.flows);
      const { flows: _f, ...rest } = whole;
      const { flows: _g, flowCount: _c, ...restStreamed } = run;
      expect(restStreamed).toEqual(rest);
    }
  });

  it('counts failed expectations as the flow reports judge them, and reports progress to the end', async () => {
    const l = await loadScenarioFile(join(dir, '04-group-added-to-itself.yaml'));
    if (!l.ok) throw new Error('invalid');
    // Every expectation turned around: connected <-> timeout and so on.
    const flipped = {
      ...l.spec,
      timeline: l.spec.timeline.map((e) => (e.expect?.outcome ? { ...e, expect: { ...e.expect, outcome: e.expect.outcome === 'timeout' ? ('connected' as const) : ('timeout' as const) } } : e)),
    };
    const seen: number[] = [];
    const run = runScenarioStreaming(flipped, { onProgress: (done, total) => seen.push(done, total) });
    const flows = [...run.flows()];
    expect(run.expectations.failed).toBe(flows.filter((f) => f.ok === false).length);
    expect(run.expectations.failed).toBeGreaterThan(0);
    expect(run.passed).toBe(false);
    expect(seen.slice(-2)).toEqual([flows.length, flows.length]);
  });
});
