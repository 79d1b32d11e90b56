/**
 * test/props/fastforward: the fabric's fast-forward of denied connects (Fabric.fastForward)
 * changes nothing a report shows.
 *
 * Owns: the differential property "a run with fast-forward gives the byte-identical report of
 * a run without it", over random worlds and timelines whose entries come close together (so
 * retransmissions overlap later traffic, changes and lifecycle, and tie with them to the
 * nanosecond), with latency jitter, propagation delays, and random TCP, conntrack and latency
 * settings (few or many SYN retries, short or long RTOs, conntrack handshake timeouts shorter
 * than the retransmission gaps, which must turn fast-forward off, public-path latencies longer
 * than the RTOs, so that requests and answers travel across changes). The run without fast-forward is
 * traced (safeRun), so every other property checks that path. Also: the reports are the same
 * whether receivers scan their rules first (the default) or are compiled from the first packet
 * (as safeRun runs them).
 * Does not own: the unit cases of when fast-forward applies (test/fabric/fastforward.test.ts).
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { runScenario } from '../../src/scenario/run.ts';
import type { ScenarioSpec } from '../../src/scenario/spec.ts';
import { specArb, tcpSettingsArb as settingsArb, withTcp, type WorldOptions } from './arbitraries.ts';
import { safeRun } from './observe.ts';
import { checkProperty, firstDifference, TIMEOUT } from './replay.ts';

function sameReport(name: string, options: WorldOptions, runs: number): void {
  checkProperty(
    name,
    fc.tuple(specArb(options), fc.option(settingsArb, { nil: undefined })),
    ([raw, tcp]) => {
      const spec = tcp ? withTcp(raw, tcp) : raw;
      const without = JSON.stringify(safeRun(spec)); // traced: no fast-forward
      const ff = JSON.stringify(runScenario(spec));
      const noFf = JSON.stringify(runScenario(spec, { fastForward: false }));
      const d1 = firstDifference(without, ff);
      if (d1) throw new Error(`the report with fast-forward differs from the traced run's; ${d1}`);
      const d2 = firstDifference(noFf, ff);
      if (d2) throw new Error(`the report with fast-forward differs from the run without it; ${d2}`);
      // safeRun compiles every receiver from its first packet; these runs scan first (default)
      const d3 = firstDifference(JSON.stringify(runScenario(spec, { compileReceiversAfter: 0 })), ff);
      if (d3) throw new Error(`the report with receivers compiled from the first packet differs from the default (scanned first); ${d3}`);
    },
    { runs, files: ([raw, tcp]) => [{ spec: tcp ? withTcp(raw, tcp) : raw }] },
  );
}

const GENERIC: WorldOptions = { declare: 'some', lifecycle: true, eips: 'any', launch: true, transfers: true, ruleChanges: true, jitter: 0.1 };

describe('fast-forward of denied connects changes no report', () => {
  it('with changes, lifecycle and propagation delays, entries 1 s apart (ties with the 1, 3, 7 s retransmissions)', () => sameReport('fast-forward, changes 1 s apart', { ...GENERIC, propagationDelay: 'random', spacingS: 1 }, 150), TIMEOUT);

  it('with changes, entries 3 s apart', () => sameReport('fast-forward, changes 3 s apart', { ...GENERIC, spacingS: 3, timeline: { min: 4, max: 24 } }, 150), TIMEOUT);

  it('traffic only (every denied connect is fast-forwarded), entries 0.5 s apart', () =>
    sameReport(
      'fast-forward, traffic only',
      { declare: 'some', ruleChanges: false, lifecycle: false, launch: false, eips: 'free', transfers: true, traffic: ['connect'], jitter: 0.1, spacingS: 0.5, timeline: { min: 4, max: 30 } },
      150,
    ), TIMEOUT);
});
