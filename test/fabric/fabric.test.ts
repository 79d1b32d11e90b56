/**
 * The fabric's routing, NAT, filtering and endpoint behaviour, through small scenarios:
 * split-horizon DNS, hosts outside AWS, udp echo and conntrack, TCP retransmission timing,
 * stop during a flow, the trace of a silent drop, and the rule arena under many rule changes.
 */
import { describe, expect, it } from 'vitest';
import { Fabric, Simulator, type FlowReport, type TraceEvent } from '../../src/index.ts';
import { newFlow, type FlowRecord } from '../../src/fabric/flows.ts';
import { initialWorld } from '../../src/scenario/run.ts';
import { createWorld } from '../../src/model/world.ts';
import { DEFAULT_SETTINGS } from '../../src/scenario/spec.ts';
import { fabricWorld, loadSpec, runYaml } from './fixtures.ts';

const run = runYaml;

const WORLD = fabricWorld('fabric');

function flows(timeline: string, trace?: (e: TraceEvent) => void): FlowReport[] {
  return run(`${WORLD}timeline:\n${timeline}`, trace).flows;
}

describe('routing and NAT', () => {
  it('resolves public DNS names split-horizon: private inside the region, public from elsewhere', () => {
    const [inside, outside, fromAbroad] = flows(`
  - { at: 0s, connect: { from: a2, to: a1.dns, port: 443 } }
  - { at: 1s, connect: { from: ext, to: a1.dns, port: 443 } }
  - { at: 2s, connect: { from: eu, to: a1.dns, port: 443 } }
`);
    expect(inside).toMatchObject({ to: '10.0.0.10', path: 'private', source: '10.0.0.20', destination: '10.0.0.10', outcome: 'connected' });
    expect(outside).toMatchObject({ to: '54.0.0.10', path: 'public', source: '192.0.2.1', destination: '10.0.0.10' });
    expect(fromAbroad).toMatchObject({ to: '54.0.0.10', path: 'public', redirected: false, source: '54.9.0.1' });
  });

  it('redirects a cross-region private address to the public one, and the receiver sees a public source', () => {
    const [f] = flows(`  - { at: 0s, connect: { from: eu, to: a1.private, port: 443 } }\n`);
    expect(f).toMatchObject({ to: '10.0.0.10', path: 'public', redirected: true, source: '54.9.0.1', outcome: 'connected' });
  });

  it('reaches hosts outside AWS unfiltered, from the sender public address', () => {
    const [toExt, refused, extToExt] = flows(`
  - { at: 0s, connect: { from: a1, to: ext, port: 8443 } }
  - { at: 1s, connect: { from: a1, to: ext2, port: 8443 } }
  - { at: 2s, ping: { from: ext, to: ext2 } }
`);
    expect(toExt).toMatchObject({ outcome: 'connected', path: 'public', source: '54.0.0.10', explanation: { code: 'NOT_FILTERED' } });
    expect(refused).toMatchObject({ outcome: 'refused' });
    expect(extToExt).toMatchObject({ outcome: 'replied', source: '192.0.2.1' });
  });

  it('has no route to an address nobody holds', () => {
    const [f] = flows(`  - { at: 0s, ping: { from: a1, to: 198.51.100.77 } }\n`);
    expect(f).toMatchObject({ outcome: 'timeout', explanation: { code: 'NO_ROUTE_TO_DESTINATION' } });
    expect(f.source).toBeUndefined();
  });
});

describe('transports', () => {
  it('times out a silently dropped connect after the SYN retries (1+2+…+64 s = 127 s) and sends nothing back', () => {
    const events: TraceEvent[] = [];
    const [f] = flows(`  - { at: 0s, connect: { from: ext, to: a1.public, port: 22 } }\n`, (e) => events.push(e));
    expect(f.outcome).toBe('timeout');
    const syns = events.filter((e) => e.ev === 'send' && e.host === 'ext');
    expect(syns.map((e) => e.tNs / 1e9)).toEqual([0, 1, 3, 7, 15, 31, 63]);
    expect(events.find((e) => e.ev === 'outcome')!.tNs).toBe(127e9);
    expect(events.filter((e) => e.ev === 'send' && e.host === 'a1')).toEqual([]);
    expect(events.filter((e) => e.ev === 'drop')).toHaveLength(7);
  });

  it('delivers udp, echoes it from a listening service, and the echo passes by conntrack', () => {
    const events: TraceEvent[] = [];
    const [f] = flows(`  - { at: 0s, send: { from: ext, to: a1.public, port: 53, count: 2 } }\n`, (e) => events.push(e));
    expect(f).toMatchObject({ outcome: 'delivered', explanation: { code: 'ALLOWED_BY_RULE', group: 'A' } });
    const echoes = events.filter((e) => e.ev === 'deliver' && e.host === 'ext');
    expect(echoes).toHaveLength(2);
  });

  it('reports a udp send as dropped when any datagram is dropped', () => {
    const [f] = flows(`  - { at: 0s, send: { from: ext, to: a1.public, port: 54 } }\n`);
    expect(f).toMatchObject({ outcome: 'dropped', explanation: { code: 'ENI_SG_RULES_MISMATCH' } });
  });

  it('latency follows zone, region, public path and internet', () => {
    const events: TraceEvent[] = [];
    flows(
      `
  - { at: 0s, ping: { from: a1, to: a2.private } }
  - { at: 10s, ping: { from: a1, to: a2.public } }
  - { at: 20s, ping: { from: ext, to: a1.public } }
  - { at: 30s, ping: { from: eu, to: a1.public } }
`,
      (e) => events.push(e),
    );
    // The first arrival (delivered or dropped by the receiver's groups) after each ping.
    const firstDelivery = (t: number) => events.find((e) => (e.ev === 'deliver' || e.ev === 'drop') && e.tNs >= t * 1e9)!.tNs - t * 1e9;
    expect(firstDelivery(0)).toBe(500_000); // cross-zone private
    expect(firstDelivery(10)).toBe(1_000_000); // public path, same region
    expect(firstDelivery(20)).toBe(20_000_000); // internet
    expect(firstDelivery(30)).toBe(40_000_000); // cross-region
  });

  it("jitter is drawn per flow: how many packets one flow sends leaves another flow's times alone", () => {
    const jittery = WORLD.replace('settings: { latency: { jitter: 0 } }', 'settings: { latency: { jitter: 0.5 } }');
    const times = (first: string): number[] => {
      const events: TraceEvent[] = [];
      // flow 0 sends first; flow 1's packets are interleaved with flow 0's retransmissions
      run(`${jittery}timeline:\n  - { at: 0s, ${first} }\n  - { at: 0.5s, connect: { from: a1, to: a2.private, port: 443 } }\n`, (e) => events.push(e));
      return events.filter((e) => e.flow === 1 && (e.ev === 'deliver' || e.ev === 'drop')).map((e) => e.tNs);
    };
    const quiet = times('connect: { from: ext, to: a1.public, port: 443 }'); // connects: 2 packets
    const busy = times('connect: { from: ext, to: a1.public, port: 22 }'); // denied: 7 SYNs over 127 s
    expect(quiet.length).toBeGreaterThan(1);
    expect(busy).toEqual(quiet);
    // and the jitter is there: the SYN does not take the fixed cross-zone 500 us
    expect(quiet[0] - 0.5e9).not.toBe(500_000);
    expect(Math.abs(quiet[0] - 0.5e9 - 500_000)).toBeLessThanOrEqual(250_000);
  });

  it('retransmissions to an instance stopped meanwhile find no route', () => {
    const events: TraceEvent[] = [];
    const [f, after] = flows(
      `
  - { at: 0s, connect: { from: a1, to: ext2, port: 9 } }
  - { at: 0s, connect: { from: ext, to: a2.public, port: 22 } }
  - { at: 2s, stop: a2 }
`,
      (e) => events.push(e),
    );
    expect(f.outcome).toBe('refused');
    expect(after.outcome).toBe('timeout');
    expect(after.explanation.code).toBe('NO_ROUTE_TO_DESTINATION');
  });
});

describe('regressions', () => {
  it('a duplicate SYN-ACK (round trip longer than the RTO) does not acknowledge a later transfer', () => {
    const yaml = `version: 1
name: slow link
settings: { latency: { internet: 800ms, jitter: 0 } }
regions: { us-east-1: {} }
groups: { A: { region: us-east-1, ingress: [ { protocol: tcp, ports: 80, from: { cidr: 0.0.0.0/0 } } ] } }
instances: { web: { region: us-east-1, groups: [A], services: [tcp/80] } }
external: { c: { ip: 192.0.2.1 } }
timeline:
  - { at: 0s, id: s, connect: { from: c, to: web.public, port: 80 } }
  - { at: 2s, transfer: s }
  - { at: 2500ms, stop: web }
`;
    const [connect, transfer] = run(yaml).flows;
    expect(connect.outcome).toBe('connected');
    expect(transfer).toMatchObject({ outcome: 'dropped', explanation: { code: 'NO_ROUTE_TO_DESTINATION' } });
  });
});

describe('icmp connection tracking', () => {
  it('an echo request in the other direction with the same echo id is a new flow, judged by the rules', () => {
    // a1 pings ext (echo id 1); then ext pings a1 (its first echo id is 1 too): a1's entry for
    // its own request must not admit ext's request (A has no icmp rule).
    const [out, back] = flows(`
  - { at: 0s, ping: { from: a1, to: ext } }
  - { at: 1s, ping: { from: ext, to: a1.public } }
`);
    expect(out.outcome).toBe('replied');
    expect(back).toMatchObject({ outcome: 'timeout', explanation: { code: 'ENI_SG_RULES_MISMATCH' } });
  });
});

describe('udp echoes are never answered', () => {
  it('an echo that lands on a listening port is consumed, so the run ends', () => {
    // web2 listens on every udp port; it sends to its own public address from an ephemeral
    // port, which is also a listening port: the echo arrives there and must not be echoed.
    const yaml = `version: 1
name: echo loop
regions: { us-east-1: {} }
groups: { A: { region: us-east-1, ingress: [ { protocol: udp, ports: 0-65535, from: { cidr: 0.0.0.0/0 } } ] } }
instances: { web2: { region: us-east-1, groups: [A], services: [udp/0-65535] } }
timeline:
  - { at: 0s, send: { from: web2, to: web2.public, port: 53 }, expect: delivered }
`;
    const report = run(yaml);
    expect(report.flows[0].outcome).toBe('delivered');
    expect(report.stats.packets).toBe(2);
  });
});

describe('large worlds', () => {
  it('routes hosts past the first thousand (more than its host table first holds) from their own addresses, region and zone', async () => {
    const { generateWorldInput } = await import('../../src/scenario/generate.ts');
    const { createWorld } = await import('../../src/model/world.ts');
    const { Fabric, Simulator } = await import('../../src/index.ts');
    const { DEFAULT_SETTINGS } = await import('../../src/scenario/spec.ts');
    const { newFlow } = await import('../../src/fabric/flows.ts');
    const world = createWorld(generateWorldInput({ instances: 3000, groups: 40, rulesPerGroup: 4, regions: 3, seed: 'large' }));
    const sim = new Simulator({ seed: 'large' });
    const fabric = new Fabric(sim, world, DEFAULT_SETTINGS);
    const hosts = fabric.hosts.filter((h) => !h.external);
    expect(hosts.length).toBe(3000);
    const pairs: [number, number][] = [];
    for (let k = 0; k < 60; k++) pairs.push([hosts[2999 - k].id, hosts[1100 + 17 * k].id]);
    const records = pairs.map(([s, t], k) => {
      const flow = newFlow(k, 'connect', 'tcp', fabric.hosts[s].name, 0);
      fabric.connect(flow, s, fabric.hosts[t].privateIp, 22, true);
      return flow;
    });
    sim.run();
    pairs.forEach(([s, t], k) => {
      const from = fabric.hosts[s];
      const to = fabric.hosts[t];
      const sameRegion = from.region === to.region;
      expect(records[k]).toMatchObject({
        path: sameRegion ? 'private' : 'public',
        redirected: !sameRegion,
        source: sameRegion ? from.privateIp : from.publicIp,
        destination: to.privateIp,
      });
      expect(records[k].outcome).not.toBeNull();
    });
    // Both kinds occur among the pairs.
    expect(new Set(records.map((r) => r.path)).size).toBe(2);
  });

  it('keeps receivers of different group lists apart, whatever their keys spell when run together', () => {
    // Groups "ab" + "c" and "a" + "bc": joined without a separator both lists read "abc".
    const yaml = `version: 1
name: group lists
settings: { latency: { jitter: 0 } }
regions: { us-east-1: {} }
groups:
  ab: { region: us-east-1, ingress: [ { protocol: tcp, ports: 22, from: { cidr: 0.0.0.0/0 } } ] }
  c: { region: us-east-1, ingress: [] }
  a: { region: us-east-1, ingress: [] }
  bc: { region: us-east-1, ingress: [] }
instances:
  s: { region: us-east-1, groups: [c] }
  t1: { region: us-east-1, groups: [ab, c], services: [tcp/22] }
  t2: { region: us-east-1, groups: [a, bc], services: [tcp/22] }
timeline:
  - { at: 0s, connect: { from: s, to: t1.private, port: 22 } }
  - { at: 1s, connect: { from: s, to: t2.private, port: 22 } }
`;
    const [first, second] = run(yaml).flows;
    expect(first.outcome).toBe('connected');
    expect(second.outcome).toBe('timeout');
  });
});

describe('the rule arena (fabric/fast/rule-links.ts: small receivers\' rules read from the host\'s row)', () => {
  it('holds each group of every receiver of at most 48 rules and two groups once, and nothing when receivers compile from their first packet', () => {
    // A: 3 rules, B: 30, C: 20 (B + C = 50 > 48), E: 2. Receivers: [A] (a1, a2), [B] (b1),
    // [A, B] (ab), [A, E] (ae: E is laid out only through it), [B, C] (bc: too many rules),
    // [A, B, D] (abd: three groups), [default] (eu: its one rule admits its own members).
    const rules = (n: number, from: number) => Array.from({ length: n }, (_, i) => `{ protocol: tcp, ports: ${from + i}, from: { cidr: 203.0.113.0/24 } }`).join(', ');
    const yaml = `${fabricWorld('arena-layout', {
      groups: `  B: { region: us-east-1, ingress: [ ${rules(30, 1000)} ] }\n  C: { region: us-east-1, ingress: [ ${rules(20, 2000)} ] }\n  D: { region: us-east-1, ingress: [] }\n  E: { region: us-east-1, ingress: [ ${rules(2, 3000)} ] }\n`,
      instances: [
        '  b1: { region: us-east-1, zone: us-east-1a, groups: [B] }',
        '  ab: { region: us-east-1, zone: us-east-1a, groups: [A, B] }',
        '  ae: { region: us-east-1, zone: us-east-1a, groups: [A, E] }',
        '  bc: { region: us-east-1, zone: us-east-1a, groups: [B, C] }',
        '  abd: { region: us-east-1, zone: us-east-1a, groups: [A, B, D] }',
        '',
      ].join('\n'),
    })}timeline: []\n`;
    const spec = loadSpec(yaml);
    const build = (compileReceiversAfter?: number) => new Fabric(new Simulator({ seed: spec.seed }), initialWorld(spec), spec.settings, null, { compileReceiversAfter });
    // Laid out: A (1 + 6·3), B (1 + 6·30), E (1 + 6·2) and eu's default group (1 + 6·1), each once.
    expect(build().ruleArenaSize).toBe(1 + 6 * 3 + (1 + 6 * 30) + (1 + 6 * 2) + (1 + 6 * 1));
    expect(build(0).ruleArenaSize).toBe(0);
  });

  it('follows rule changes, and is laid out again so that thousands of changes leave it bounded', () => {
    // B has 40 rules (under SCAN_RULES, so in the arena) on ports 1000-1039; each round
    // authorizes port 2000+k on B, connects to it from outside twice (admitted: refused, nothing
    // listens), revokes it and connects twice again (denied: timeout). Every change unlinks b1 and
    // b2, whose next packet lays their receivers out anew: about 250 int32s each round, so
    // without being laid out again the arena would pass 2^20 int32s by round 4,200.
    const many = Array.from({ length: 40 }, (_, i) => `{ protocol: tcp, ports: ${1000 + i}, from: { cidr: 203.0.113.0/24 } }`).join(', ');
    const spec = loadSpec(
      `${fabricWorld('arena', {
        groups: `  B: { region: us-east-1, ingress: [ ${many} ] }\n  D: { region: us-east-1, ingress: [ { protocol: tcp, ports: 8080, from: { cidr: 0.0.0.0/0 } } ] }\n`,
        instances: '  b1: { region: us-east-1, zone: us-east-1a, groups: [B], privateIp: 10.0.0.30, publicIp: 54.0.0.30 }\n  b2: { region: us-east-1, zone: us-east-1a, groups: [A, B], privateIp: 10.0.0.31, publicIp: 54.0.0.31 }\n',
      })}timeline: []\n`,
    );
    const sim = new Simulator({ seed: spec.seed });
    const fabric = new Fabric(sim, initialWorld(spec), { ...spec.settings, tcp: { ...spec.settings.tcp, synRetries: 0 } });
    const ext = fabric.hostId('ext')!;
    const connect = (to: string, port: number): FlowRecord => {
      const flow = newFlow(0, 'connect', 'tcp', 'ext', sim.now);
      fabric.connect(flow, ext, fabric.host(to)!.publicIp, port, true);
      sim.run();
      return flow;
    };
    // d1, launched now, is laid out after every receiver of the build; once the arena is laid
    // out again (live receivers only, in host order) its rules are elsewhere.
    fabric.applyChange({
      kind: 'launch',
      instance: { name: 'd1', region: 'us-east-1', zone: 'us-east-1a', groups: ['D'], privateIp: 0x0a000032, publicIp: 0x36000032, services: [], state: 'running' },
    });
    let peak = 0;
    for (let k = 0; k < 5000; k++) {
      const rule = { protocol: 'tcp', ports: { from: 2000 + k, to: 2000 + k }, source: { kind: 'cidr', cidr: { base: 0, prefix: 0 } } } as const;
      const to = k % 2 === 0 ? 'b1' : 'b2';
      // The first packet after a change finds its host unlinked and links it (through the
      // Receiver); the second reads the rules from the arena. For b2 the port is admitted by
      // its second group.
      fabric.applyChange({ kind: 'authorize', group: 'B', rule });
      expect([connect(to, 2000 + k).outcome, connect(to, 2000 + k).outcome]).toEqual(['refused', 'refused']);
      fabric.applyChange({ kind: 'revoke', group: 'B', rule });
      expect([connect(to, 2000 + k).outcome, connect(to, 2000 + k).outcome]).toEqual(['timeout', 'timeout']);
      peak = Math.max(peak, fabric.ruleArenaSize);
    }
    expect(peak).toBeLessThanOrEqual(2 ** 20);
    // The arena still holds every receiver in use: b1's 40 rules, and the rules A admits from.
    expect(connect('b1', 1039).explanation).toMatchObject({ code: 'ENI_SG_RULES_MISMATCH' });
    expect(connect('b2', 443).outcome).toBe('refused');
    expect(connect('d1', 8080).outcome).toBe('refused');
    expect(connect('d1', 8081).outcome).toBe('timeout');
  });
});

describe('a world built through the API with private addresses outside 10/8', () => {
  it('routes to them (routing looks beyond 10/8 only when some host has such an address)', () => {
    // The loader refuses a private address outside 10/8 (EC2-Classic's); createWorld does not.
    const world = createWorld({
      seed: '1',
      regions: [{ name: 'us-east-1', zones: ['us-east-1a'] }],
      groups: [{ key: 'G', name: 'G', region: 'us-east-1', ingress: [{ protocol: 'all', source: { kind: 'group', group: 'G' } }] }],
      instances: ['a', 'b'].map((name, i) => ({
        name,
        region: 'us-east-1',
        zone: 'us-east-1a',
        groups: ['G'],
        privateIp: 0xac100001 + i, // 172.16.0.1, .2
        publicIp: 0x36000001 + i, // 54.0.0.1, .2
        services: [{ protocol: 'tcp' as const, ports: { from: 22, to: 22 } }],
        state: 'running' as const,
      })),
      external: [],
    });
    const sim = new Simulator({ seed: '1' });
    const fabric = new Fabric(sim, world, DEFAULT_SETTINGS);
    const flow = newFlow(0, 'connect', 'tcp', 'a', 0);
    fabric.connect(flow, fabric.hostId('a')!, 0xac100002, 22);
    sim.run();
    expect([flow.outcome, flow.path, flow.explanation?.code]).toEqual(['connected', 'private', 'ALLOWED_BY_RULE']);
  });
});
