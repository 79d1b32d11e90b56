/**
 * test/fabric/path/plan: the plan of hops run without time (Fabric.wayOf): each hop answers
 * as domain.md says, in classic's order, and a flow's explanation is read from the hops.
 * (That the fabric's fast paths decide as the plan does: test/props/plan.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { Fabric, Simulator, createWorld } from '../../../src/index.ts';
import { CLASSIC_PLAN, explain, packetOf, runPlan, type PathResult } from '../../../src/fabric/path/plan.ts';
import { newFlow } from '../../../src/fabric/flows.ts';
import { parseIp as parseIpOrError, type Ip } from '../../../src/net/ipv4.ts';
import { ICMP, TCP, UDP } from '../../../src/net/protocol.ts';
import { drop, PASS, type Hop, type PathWorld } from '../../../src/fabric/path/hop.ts';
import { fabricWorld, loadSpec } from '../fixtures.ts';

function ip(text: string): Ip {
  const v = parseIpOrError(text);
  if (typeof v !== 'number') throw new Error(v.error);
  return v;
}

function fabricOf(yaml: string) {
  const spec = loadSpec(yaml);
  const world = createWorld({ seed: spec.seed, regions: spec.regions, groups: spec.groups, instances: spec.instances, external: spec.external });
  const sim = new Simulator({ seed: spec.seed });
  return { sim, fabric: new Fabric(sim, world, spec.settings) };
}

const WORLD = `${fabricWorld('plan', {
  groups: '  B: { region: us-east-1, ingress: [ { protocol: tcp, ports: 22, from: { group: A } }, { protocol: tcp, ports: 80, from: { cidr: 0.0.0.0/0 } } ] }\n',
  instances: '  b1: { region: us-east-1, zone: us-east-1a, groups: [B], services: [tcp/80], privateIp: 10.0.0.30, publicIp: 54.0.0.30 }\n',
})}timeline: []
`;

/** Each hop's name and what it answered. */
const trail = (r: PathResult) => r.trail.map((s) => `${s.hop}:${s.verdict.kind}`);

describe('classic plan', () => {
  it('crosses sender, route, NAT at arrival, connection tracking, the groups, the host, in that order', () => {
    expect(CLASSIC_PLAN.map((h) => `${h.name}@${h.side}`)).toEqual(['sender@send', 'route@send', 'nat@arrive', 'conntrack@arrive', 'groups@arrive', 'host@arrive']);
    // conntrack before the groups: what lets a tracked flow outlive a revoked rule
    expect(CLASSIC_PLAN.findIndex((h) => h.name === 'conntrack')).toBeLessThan(CLASSIC_PLAN.findIndex((h) => h.name === 'groups'));
  });

  it('same region, private address: the private path, the sender private source, a group rule admits, the listener answers SYN-ACK', () => {
    const { fabric } = fabricOf(WORLD);
    const r = fabric.wayOf(fabric.hostId('a2')!, ip('10.0.0.10'), TCP, 443);
    expect(trail(r)).toEqual(['sender:pass', 'route:rewrite', 'nat:pass', 'conntrack:pass', 'groups:admit', 'host:deliver']);
    expect(r.packet).toMatchObject({ privatePath: true, redirected: false, source: ip('10.0.0.20'), destination: ip('10.0.0.10'), receiver: fabric.hostId('a1') });
    expect(r.admitted?.code).toBe('ALLOWED_BY_RULE');
    expect(r.admitted?.group).toBe('A');
    expect(r.admitted?.rule?.source).toEqual({ kind: 'group', group: 'A' });
    expect(r.action).toEqual({ kind: 'server', reply: 3, listening: true }); // SYN|ACK
  });

  it('another region, private address: redirected to the public address, the sender public source, group rules lost', () => {
    const { fabric } = fabricOf(WORLD);
    const r = fabric.wayOf(fabric.hostId('eu')!, ip('10.0.0.30'), TCP, 22);
    expect(r.packet).toMatchObject({ privatePath: false, redirected: true, wireDst: ip('54.0.0.30'), source: ip('54.9.0.1') });
    expect(r.drop?.code).toBe('ENI_SG_RULES_MISMATCH');
    expect(explain(r)?.blockers).toEqual([]); // eu is in no group of B's rules
    const a = fabric.wayOf(fabric.hostId('a1')!, ip('54.0.0.30'), TCP, 22);
    // a1 is in A, which B's tcp/22 rule names: lost over the public path, so that is the primary code
    expect(explain(a)?.code).toBe('SG_REFERENCES_NOT_PRESERVED');
    expect(explain(a)?.blockers).toEqual(['ENI_SG_RULES_MISMATCH']);
    // the groups denied it; the host hop was still evaluated (as if admitted), and adds nothing
    expect(trail(a)).toEqual(['sender:pass', 'route:rewrite', 'nat:pass', 'conntrack:pass', 'groups:drop', 'host:deliver']);
    expect(a.action).toBeNull();
  });

  it('no route from outside AWS to a private address, nor to an address nobody holds: the way ends there', () => {
    const { fabric } = fabricOf(WORLD);
    const r = fabric.wayOf(fabric.hostId('ext')!, ip('10.0.0.10'), TCP, 443);
    expect(trail(r)).toEqual(['sender:pass', 'route:drop']);
    expect(explain(r)).toEqual({ code: 'NO_ROUTE_TO_DESTINATION', message: '10.0.0.10 is a private address, not reachable from outside AWS' });
    expect(explain(fabric.wayOf(fabric.hostId('a1')!, ip('54.1.2.3'), UDP, 53))).toEqual({ code: 'NO_ROUTE_TO_DESTINATION', message: 'no running host holds 54.1.2.3' });
  });

  it('a host outside AWS is not filtered; an echo request is answered', () => {
    const { fabric } = fabricOf(WORLD);
    const r = fabric.wayOf(fabric.hostId('a1')!, ip('192.0.2.1'), TCP, 8443);
    expect(r.admitted?.code).toBe('NOT_FILTERED');
    expect(trail(r)).toEqual(['sender:pass', 'route:rewrite', 'nat:pass', 'conntrack:pass', 'groups:admit', 'host:deliver']);
    expect(fabric.wayOf(fabric.hostId('a2')!, ip('10.0.0.10'), ICMP, 8 << 16).action).toEqual({ kind: 'echo-request' });
  });

  it('a stopped sender sends nothing', () => {
    const { fabric } = fabricOf(WORLD);
    fabric.applyChange({ kind: 'stop', instance: 'a2' });
    const r = fabric.wayOf(fabric.hostId('a2')!, ip('10.0.0.10'), TCP, 443);
    expect(trail(r)).toEqual(['sender:drop']);
    expect(r.drop?.code).toBe('SOURCE_NOT_RUNNING');
  });

  it('revoking the rule keeps a tracked flow: conntrack admits it and the groups are not asked; a new flow meets the revoke', () => {
    const { sim, fabric } = fabricOf(WORLD);
    const a2 = fabric.hostId('a2')!;
    fabric.connect(newFlow(0, 'connect', 'tcp', 'a2', 0), a2, ip('54.0.0.30'), 80); // local port 32768
    sim.run();
    fabric.applyChange({ kind: 'revoke', group: 'B', rule: { protocol: 'tcp', ports: { from: 80, to: 80 }, source: { kind: 'cidr', cidr: { base: 0, prefix: 0 } } } });
    const tracked = fabric.wayOf(a2, ip('54.0.0.30'), TCP, 80, 32768, 2 /* ACK */);
    expect(trail(tracked)).toEqual(['sender:pass', 'route:rewrite', 'nat:pass', 'conntrack:admit', 'host:deliver']);
    expect(tracked.admitted?.code).toBe('TRACKED_CONNECTION');
    const fresh = fabric.wayOf(a2, ip('54.0.0.30'), TCP, 80, 40000);
    expect(fresh.drop?.code).toBe('ENI_SG_RULES_MISMATCH'); // B keeps its tcp/22 rule
  });
});

describe('explanations read from the hops', () => {
  const world: PathWorld = new Proxy({} as PathWorld, { get: () => () => 0 });
  const code = (c: 'SUBNET' | 'SECOND'): Hop => ({
    name: c,
    side: 'arrive',
    filter: true,
    decide: () => drop({ code: c === 'SUBNET' ? 'ENI_SG_RULES_MISMATCH' : 'SG_HAS_NO_RULES', message: c }),
  });
  const pass: Hop = { name: 'pass', side: 'send', filter: false, decide: () => PASS };

  it('the first drop is primary; hops after it are evaluated as if it passed, their drops added as blockers', () => {
    const r = runPlan([pass, code('SUBNET'), pass, code('SECOND')], packetOf(0, 0, TCP, 1, 2, 1, true, null), world);
    expect(r.drop?.why.message).toBe('SUBNET');
    expect(explain(r)).toEqual({ code: 'ENI_SG_RULES_MISMATCH', message: 'SUBNET', blockers: ['SG_HAS_NO_RULES'] });
  });

  it('a final drop (nowhere to go) ends the way: nothing after it is judged', () => {
    const final: Hop = { name: 'final', side: 'send', filter: false, decide: () => drop({ code: 'NO_ROUTE_TO_DESTINATION', message: 'none' }, true) };
    const r = runPlan([final, code('SECOND')], packetOf(0, 0, TCP, 1, 2, 1, true, null), world);
    expect(r.trail.map((s) => s.hop)).toEqual(['final']);
    expect(explain(r)).toEqual({ code: 'NO_ROUTE_TO_DESTINATION', message: 'none' });
  });
});
