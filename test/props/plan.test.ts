/**
 * test/props/plan: the fabric's fast paths change nothing the plan of hops decides.
 *
 * Owns: the differential property "a run with the fast paths (the default) gives the
 * byte-identical report and trace of a run decided by the plan of hops alone
 * (FabricOptions.fastPaths false: path/plan.ts, the reference)", over random worlds and
 * timelines (test/props/arbitraries.ts), with changes, lifecycle, Elastic IPs, propagation
 * delays and random TCP, conntrack and latency settings, and over traffic-only worlds where
 * every denied connect after the last change is fast-forwarded and decided as it is sent.
 * Does not own: the plan's hops one by one (test/fabric/path.test.ts).
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { runScenario } from '../../src/scenario/run.ts';
import type { TraceEvent } from '../../src/index.ts';
import { specArb, tcpSettingsArb, withTcp, type WorldOptions } from './arbitraries.ts';
import { checkProperty, firstDifference, TIMEOUT } from './replay.ts';

function samePlan(name: string, options: WorldOptions, runs: number): void {
  checkProperty(
    name,
    fc.tuple(specArb(options), fc.option(tcpSettingsArb, { nil: undefined })),
    ([raw, tcp]) => {
      const spec = tcp ? withTcp(raw, tcp) : raw;
      const fast = JSON.stringify(runScenario(spec));
      const reference = JSON.stringify(runScenario(spec, { fastPaths: false }));
      const d1 = firstDifference(reference, fast);
      if (d1) throw new Error(`the report with the fast paths differs from the plan's; ${d1}`);
      // Traced (which turns fast-forward off), both ways: the same events.
      const ft: TraceEvent[] = [];
      const rt: TraceEvent[] = [];
      const fastTraced = JSON.stringify(runScenario(spec, { trace: (e) => ft.push(e) }));
      const refTraced = JSON.stringify(runScenario(spec, { fastPaths: false, trace: (e) => rt.push(e) }));
      const d2 = firstDifference(JSON.stringify(rt), JSON.stringify(ft));
      if (d2) throw new Error(`the trace with the fast paths differs from the plan's; ${d2}`);
      const d3 = firstDifference(refTraced, fastTraced);
      if (d3) throw new Error(`the traced report with the fast paths differs from the plan's; ${d3}`);
      // Receivers compiled from their first packet (the compiled index, not the arena).
      const d4 = firstDifference(reference, JSON.stringify(runScenario(spec, { compileReceiversAfter: 0 })));
      if (d4) throw new Error(`the report with compiled receivers differs from the plan's; ${d4}`);
    },
    { runs, files: ([raw, tcp]) => [{ spec: tcp ? withTcp(raw, tcp) : raw }] },
  );
}

const GENERIC: WorldOptions = { declare: 'some', lifecycle: true, eips: 'any', launch: true, transfers: true, ruleChanges: true, jitter: 0.1 };

describe('the fast paths decide as the plan of hops does', () => {
  it('with changes, lifecycle, Elastic IPs and propagation delays, entries 1 s apart', () => samePlan('fast paths = plan, changes 1 s apart', { ...GENERIC, propagationDelay: 'random', spacingS: 1 }, 120), TIMEOUT);

  it('with changes, entries 3 s apart', () => samePlan('fast paths = plan, changes 3 s apart', { ...GENERIC, spacingS: 3, timeline: { min: 4, max: 24 } }, 120), TIMEOUT);

  it('traffic only (denied connects fast-forwarded and decided as they are sent)', () =>
    samePlan(
      'fast paths = plan, traffic only',
      { declare: 'some', ruleChanges: false, lifecycle: false, launch: false, eips: 'free', transfers: true, jitter: 0.1, spacingS: 0.5, timeline: { min: 4, max: 30 } },
      120,
    ), TIMEOUT);
});
