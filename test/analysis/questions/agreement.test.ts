/**
 * test/analysis/questions/agreement: the questions' answers are what the simulator does.
 *
 * Over random classic worlds (test/props/arbitraries.ts): a random flow (connect, send, ping
 * from any host to any address kind) is traced without time and also run alone by
 * runScenario (a scenario with that one entry and no changes); outcome, path, redirect,
 * source and explanation code (with blockers) agree. Reach and exposure are checked against
 * the traces they summarise.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runScenario } from '../../../src/scenario/run.ts';
import type { ScenarioSpec, TimelineEntry } from '../../../src/scenario/spec.ts';
import { ClassicSnapshot, exposure, reach, traceAnswer, traceClassic, traceResolved, worldAt, admitted, internetAddressIn, freeInternetAddressIn, type FlowQuestion } from '../../../src/analysis/questions/index.ts';
import { specArb } from '../../props/arbitraries.ts';
import { checkProperty } from '../../props/replay.ts';
import { formatIp } from '../../../src/net/ipv4.ts';

/** The spec with only its first traffic entry (no expectation), or null. */
function alone(spec: ScenarioSpec): { spec: ScenarioSpec; entry: TimelineEntry } | null {
  const e = spec.timeline.find((t) => t.action.kind === 'connect' || t.action.kind === 'send' || t.action.kind === 'ping');
  if (!e) return null;
  const entry: TimelineEntry = { at: e.at, index: 0, action: e.action };
  return { spec: { ...spec, timeline: [entry] }, entry };
}

function questionOf(entry: TimelineEntry): FlowQuestion {
  const a = entry.action;
  if (a.kind === 'connect') return { from: a.from, to: a.to, protocol: 'tcp', port: a.port };
  if (a.kind === 'send') return { from: a.from, to: a.to, protocol: 'udp', port: a.port };
  if (a.kind === 'ping') return { from: a.from, to: a.to, protocol: 'icmp', port: 0 };
  throw new Error('not traffic');
}

const worlds = specArb({ traffic: ['connect', 'send', 'ping'], timeline: { min: 1, max: 3 }, lifecycle: true, eips: 'free', ruleChanges: false, launch: false, transfers: false });

describe('trace agrees with the simulator', () => {
  it('gives the outcome, path, redirect, source and code runScenario gives for the flow sent alone', () => {
    checkProperty('trace = run', worlds, (spec) => {
      const one = alone(spec);
      if (!one) return;
      const run = runScenario(one.spec).flows[0];
      const world = worldAt(one.spec, one.entry.at);
      const snap = new ClassicSnapshot(world);
      const t = traceAnswer(snap, traceClassic(snap, questionOf(one.entry)));
      expect({ outcome: t.outcome, path: t.path, redirected: t.redirected, source: t.source, code: t.explanation.code, blockers: t.explanation.blockers, group: t.explanation.group }).toEqual({
        outcome: run.outcome,
        path: run.path,
        redirected: run.redirected,
        source: run.source,
        code: run.explanation.code,
        blockers: run.explanation.blockers,
        group: run.explanation.group,
      });
    }, { runs: 300 });
  });
});

/** The spec's changes before its last traffic entry, and that entry (no expectation, no other traffic). */
function afterChanges(spec: ScenarioSpec): { spec: ScenarioSpec; entry: TimelineEntry } | null {
  const traffic = spec.timeline.filter((t) => t.action.kind === 'connect' || t.action.kind === 'send' || t.action.kind === 'ping');
  const last = traffic.at(-1);
  if (!last) return null;
  const changes = spec.timeline.filter((t) => t.at < last.at && !traffic.includes(t) && t.action.kind !== 'transfer' && t.action.kind !== 'close');
  const timeline = [...changes, { at: last.at, action: last.action }].map((e, index) => ({ at: e.at, index, action: e.action }));
  return { spec: { ...spec, timeline }, entry: timeline.at(-1)! };
}

describe('trace --at agrees with the simulator after the changes', () => {
  it('the world after the timeline\'s changes up to t gives what the run gives a flow sent alone at t', () => {
    const changing = specArb({ traffic: ['connect', 'send', 'ping'], timeline: { min: 1, max: 8 }, lifecycle: true, eips: 'free', ruleChanges: true, launch: true, transfers: false, propagationDelay: 0 });
    checkProperty('trace --at = run', changing, (spec) => {
      const one = afterChanges(spec);
      if (!one) return;
      const run = runScenario(one.spec).flows[0];
      const world = worldAt(one.spec, one.entry.at);
      const snap = new ClassicSnapshot(world);
      const t = traceAnswer(snap, traceClassic(snap, questionOf(one.entry)));
      expect({ outcome: t.outcome, path: t.path, source: t.source, code: t.explanation.code, blockers: t.explanation.blockers }).toEqual({
        outcome: run.outcome,
        path: run.path,
        source: run.source,
        code: run.explanation.code,
        blockers: run.explanation.blockers,
      });
    }, { runs: 200 });
  });
});

describe('reach and exposure are the traces they summarise', () => {
  it('reach lists a row exactly for each admitted trace, and exposure a finding for each admitted internet trace', () => {
    checkProperty('reach/exposure = traces', specArb({ timeline: { min: 0, max: 0 }, lifecycle: true, eips: 'free' }), (spec) => {
      const world = worldAt(spec, null);
      const snap = new ClassicSnapshot(world);
      // reach on one port: every (sender, receiver address) pair's trace, admitted -> a row, else denied.
      for (const port of [22, 80, 3306]) {
        const r = reach(snap, { from: null, to: null, port, protocol: 'tcp' });
        for (let s = 0; s < snap.hostCount; s++) {
          if (!snap.isInstance(s) || !snap.running(s)) continue;
          for (let d = 0; d < snap.hostCount; d++) {
            if (!snap.isInstance(d) || !snap.running(d) || d === s) continue;
            for (const [ip, kind] of [[snap.privateIpOf(d), 'private'], [snap.publicIpOf(d), 'public']] as const) {
              const t = traceResolved(snap, { from: snap.nameOf(s), to: { kind: 'ip', ip }, protocol: 'tcp', port }, s, ip);
              const row = r.rows.some((x) => x.from === snap.nameOf(s) && x.to === snap.nameOf(d) && x.address === formatIp(ip));
              const denied = r.denied.some((x) => x.from === snap.nameOf(s) && x.to === snap.nameOf(d) && x.target === `${snap.nameOf(d)}.${kind}`);
              expect(row).toBe(admitted(t.outcome));
              expect(denied).toBe(!admitted(t.outcome));
            }
          }
        }
      }
      // exposure: a finding on an instance's public address exactly when some internet sender inside a rule's CIDR reaches it.
      const found = exposure(world, snap).findings.filter((f) => f.id === 'INTERNET_EXPOSED_PORT');
      for (let d = 0; d < snap.hostCount; d++) {
        if (!snap.isInstance(d) || !snap.running(d)) continue;
        const pub = snap.publicIpOf(d);
        let reached = false;
        for (const g of snap.groupsInForce(d)) for (const rule of g.ingress) {
          if (rule.source.kind !== 'cidr') continue;
          const ip = freeInternetAddressIn(rule.source.cidr, snap.held);
          if (ip === null) continue;
          const protocol = rule.protocol === 'all' ? 'tcp' : rule.protocol;
          const port = rule.ports?.from ?? 0;
          const t = traceResolved(snap, { from: 'internet', to: { kind: 'ip', ip: pub }, protocol, port }, snap.addInternet(ip), pub);
          if (admitted(t.outcome)) reached = true;
        }
        expect(found.some((f) => f.resource === snap.nameOf(d))).toBe(reached);
      }
    }, { runs: 100 });
  });
});

describe('internetAddressIn', () => {
  it('gives an address of the CIDR outside RFC 1918, or none for a private CIDR', () => {
    expect(internetAddressIn({ base: 0x0a000000, prefix: 8 })).toBeNull();
    expect(internetAddressIn({ base: 0xc0a80100, prefix: 24 })).toBeNull();
    expect(formatIp(internetAddressIn({ base: 0, prefix: 0 })!)).toBe('1.0.0.1');
    expect(formatIp(internetAddressIn({ base: 0x0a000000, prefix: 7 })!)).toBe('11.0.0.0');
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
      const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
      const base = (ip & mask) >>> 0;
      const a = internetAddressIn({ base, prefix });
      if (a !== null) expect(((a & mask) >>> 0) === base).toBe(true);
    }));
  });
});
