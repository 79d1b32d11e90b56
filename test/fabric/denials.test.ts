/**
 * test/fabric/denials: denials kept as rows until read (fabric/denials.ts, flows.ts Flow).
 *
 * Owns: that a Flow's deferred explanation is made on first read and is the same object
 * after, and that setting one replaces it; and, differentially, that a generated world's
 * connects and pings, run once with Flow records (denials deferred) and once with plain
 * literal records (which the fabric cannot defer: it builds each denial at once), end with the
 * same outcomes, times, paths and explanations (code, message, blockers), with and without
 * the fast-forward, and with a rule change still propagating (then nothing is deferred).
 * Does not own: the denials' wording (test/policy/evaluate.test.ts) or the reports (goldens).
 */
import { describe, expect, it } from 'vitest';
import { Fabric, Simulator } from '../../src/index.ts';
import { Flow, newFlow, type DeferredExplanations, type Explanation, type FlowRecord } from '../../src/fabric/flows.ts';
import { DenialLog } from '../../src/fabric/denials.ts';
import { createWorld } from '../../src/model/world.ts';
import { generateWorldInput } from '../../src/scenario/generate.ts';
import { DEFAULT_SETTINGS } from '../../src/scenario/spec.ts';

describe('Flow', () => {
  it('makes a deferred explanation on first read, the same object after; a set replaces it', () => {
    let made = 0;
    const log: DeferredExplanations = {
      explain: (row) => {
        made++;
        return { code: 'ENI_SG_RULES_MISMATCH', message: `row ${row}` };
      },
    };
    const f = new Flow(0, 'connect', 'tcp', 'a', 0);
    expect([f.explained, f.deferred, f.explanation]).toEqual([false, false, null]);
    f.defer(log, 7);
    expect([f.explained, f.deferred, made]).toEqual([true, true, 0]);
    const e = f.explanation;
    expect(e).toEqual({ code: 'ENI_SG_RULES_MISMATCH', message: 'row 7' });
    expect(f.explanation).toBe(e);
    expect([f.explained, f.deferred, made]).toEqual([true, false, 1]);
    f.defer(log, 8);
    const other: Explanation = { code: 'SIM_NO_ANSWER_IN_TIME', message: 'x' };
    f.explanation = other;
    expect(f.explanation).toBe(other);
    expect(made).toBe(1);
    f.explanation = null;
    expect(f.explained).toBe(false);
  });

  it('newFlow makes one, with every field of FlowRecord', () => {
    const f = newFlow(3, 'ping', 'icmp', 'h', 5);
    expect(f).toBeInstanceOf(Flow);
    expect({ index: f.index, action: f.action, protocol: f.protocol, from: f.from, atNs: f.atNs, outcome: f.outcome, explanation: f.explanation }).toEqual({
      index: 3,
      action: 'ping',
      protocol: 'icmp',
      from: 'h',
      atNs: 5,
      outcome: null,
      explanation: null,
    });
  });
});

describe('DenialLog', () => {
  it('refuses a row it does not have', () => {
    const log = new DenialLog(() => 'h');
    expect(() => log.explain(0)).toThrow(/no denial 0/);
    expect(log.size).toBe(0);
  });
});

/** A FlowRecord the fabric cannot defer: a plain object, as an API user might make. */
function literalFlow(index: number, action: FlowRecord['action'], protocol: FlowRecord['protocol'], from: string, atNs: number): FlowRecord {
  const f = new Flow(index, action, protocol, from, atNs);
  const plain: Record<string, unknown> = {};
  for (const k of ['index', 'action', 'protocol', 'from', 'atNs', 'to', 'port', 'outcome', 'path', 'redirected', 'source', 'destination', 'replyDrop', 'explanationVersion', 'explanationSource', 'admission', 'pending', 'anyDropped', 'resolvedAtNs', 'serial', 'sent', 'requestsInFlight'] as const) {
    plain[k] = f[k];
  }
  plain.explanation = null;
  return plain as unknown as FlowRecord;
}

function runWorld(make: typeof literalFlow, options: { changesEndNs?: number }, revokeFirst: boolean) {
  const input = generateWorldInput({ instances: 300, groups: 40, rulesPerGroup: 4, regions: 2, seed: 'denials' });
  const world = createWorld(input);
  const sim = new Simulator({ seed: 'denials' });
  const fabric = new Fabric(sim, world, DEFAULT_SETTINGS, null, options);
  const rng = sim.random('pairs');
  const hosts = fabric.hosts.filter((h) => !h.external);
  const flows: FlowRecord[] = [];
  if (revokeFirst) {
    // A rule change still propagating while the first connects are denied: nothing deferred then.
    const g = world.groups[Object.keys(world.groups)[0]];
    if (g.ingress.length > 0) fabric.applyChange({ kind: 'revoke', group: g.key, rule: g.ingress[0] });
  }
  for (let k = 0; k < 1500; k++) {
    sim.at(k * 1000, () => {
      const s = hosts[Math.floor(rng.next() * hosts.length)];
      const t = hosts[Math.floor(rng.next() * hosts.length)];
      const dst = rng.next() < 0.5 ? t.privateIp : t.publicIp;
      if (k % 10 === 0) {
        const f = make(k, 'ping', 'icmp', s.name, sim.now);
        flows.push(f);
        fabric.ping(f, s.id, dst);
      } else {
        const f = make(k, 'connect', 'tcp', s.name, sim.now);
        flows.push(f);
        const port = t.tcpPorts.length > 0 && rng.next() < 0.7 ? t.tcpPorts[0].from : [22, 80, 443, 3306][k % 4];
        fabric.connect(f, s.id, dst, port, options.changesEndNs !== undefined);
      }
    });
  }
  sim.run();
  const view = flows.map((f) => {
    const e = f.explanation;
    return [f.outcome, f.resolvedAtNs, f.path, f.source, f.sent, e?.code, e?.message, e?.blockers];
  });
  return { view, events: sim.eventsRun + sim.eventsElided, now: sim.now, stats: { ...fabric.stats } };
}

describe('deferred denials (differential)', () => {
  for (const [label, options, revoke] of [
    ['fast-forwarded', { changesEndNs: -1 }, false],
    ['without the fast-forward', {}, false],
    ['with a rule change propagating', {}, true],
  ] as const) {
    it(`are the denials the fabric builds at once: ${label}`, () => {
      const deferred = runWorld(newFlow, options, revoke);
      const eager = runWorld(literalFlow, options, revoke);
      expect(deferred).toEqual(eager);
      const codes = new Set(deferred.view.map((v) => v[5]));
      expect(codes.has('ENI_SG_RULES_MISMATCH')).toBe(true); // denials were made, and compared
    });
  }
});
