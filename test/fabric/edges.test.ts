/**
 * The fabric at its edges (written as mutation tests, issue 3 item 6): through small
 * scenarios (runScenario) and, where a scenario cannot reach, the Fabric API itself.
 *
 * Each test pins exact values: the outcome, path, redirect, source, explanation code and
 * message, trace events and the run's counters. The cases: senders that are not running,
 * addresses released by stop (no route at once, or on arrival after a restart), the first
 * packet deciding what the receiver saw (the one whose verdict is reported), the latest denial explaining a timeout (and the
 * idle time of an expired tracked flow), replies dropped at the client, receivers compiled per
 * group list, client sockets, close and transfer on connections that are not open, ephemeral
 * port and echo id wrap-around, and the counters of delivered and dropped packets.
 */
import { describe, expect, it } from 'vitest';
import { Fabric, Simulator, createWorld, type FlowReport, type TraceEvent } from '../../src/index.ts';
import { newFlow } from '../../src/fabric/flows.ts';
import { ConnTrackTable } from '../../src/conntrack/table.ts';
import { parseIp as parseIpOrError, type Ip } from '../../src/net/ipv4.ts';
import { TCP } from '../../src/net/protocol.ts';
import { DEFAULT_SETTINGS } from '../../src/scenario/spec.ts';
import { fabricWorld, loadSpec, runTraced } from './fixtures.ts';

function parseIp(text: string): Ip {
  const v = parseIpOrError(text);
  if (typeof v !== 'number') throw new Error(v.error);
  return v;
}

function run(yaml: string) {
  const { report, events } = runTraced(yaml);
  return { report, flows: report.flows, events };
}

/** A fabric over a scenario's world, driven directly. */
function fabricOf(yaml: string, trace: ((e: TraceEvent) => void) | null = null) {
  const spec = loadSpec(yaml);
  const world = createWorld({ seed: spec.seed, regions: spec.regions, groups: spec.groups, instances: spec.instances, external: spec.external });
  const sim = new Simulator({ seed: spec.seed });
  const fabric = new Fabric(sim, world, spec.settings, trace);
  return { sim, fabric };
}

const HEAD = `version: 1
name: fabric edges
settings: { latency: { jitter: 0 } }
regions: { us-east-1: { zones: [us-east-1a, us-east-1b] }, eu-west-1: {} }
`;

const WORLD = `${fabricWorld('fabric edges', {
  groups: '  B: { region: us-east-1, ingress: [ { protocol: tcp, ports: 80, from: { cidr: 0.0.0.0/0 } } ] }\n',
  instances: '  b1: { region: us-east-1, zone: us-east-1a, groups: [B], services: [tcp/80], privateIp: 10.0.0.30, publicIp: 54.0.0.30 }\n',
})}timeline:
`;

const pick = (f: FlowReport) => ({
  outcome: f.outcome,
  path: f.path,
  redirected: f.redirected,
  source: f.source,
  destination: f.destination,
  code: f.explanation.code,
  message: f.explanation.message,
});

describe('senders that are not running', () => {
  it('a stopped instance sends nothing: connect times out, send is dropped, ping times out, all SOURCE_NOT_RUNNING', () => {
    const { flows, report, events } = run(`${WORLD}  - { at: 0s, stop: a2 }
  - { at: 1s, connect: { from: a2, to: ext, port: 8443 } }
  - { at: 2s, send: { from: a2, to: ext, port: 53, count: 3 } }
  - { at: 3s, ping: { from: a2, to: ext } }
`);
    const message = 'a2 is not running, so it sends nothing';
    expect(flows.map((f) => [f.outcome, f.explanation.code, f.explanation.message])).toEqual([
      ['timeout', 'SOURCE_NOT_RUNNING', message],
      ['dropped', 'SOURCE_NOT_RUNNING', message],
      ['timeout', 'SOURCE_NOT_RUNNING', message],
    ]);
    // Nothing left: no packet, no retransmission timer, no ping timer.
    expect(report.stats).toMatchObject({ packets: 0, drops: 0, events: 4, simulatedMs: 3000 });
    expect(events.filter((e) => e.ev !== 'change')).toEqual([
      { tNs: 1e9, ev: 'outcome', flow: 0, outcome: 'timeout', code: 'SOURCE_NOT_RUNNING' },
      { tNs: 2e9, ev: 'outcome', flow: 1, outcome: 'dropped', code: 'SOURCE_NOT_RUNNING' },
      { tNs: 3e9, ev: 'outcome', flow: 2, outcome: 'timeout', code: 'SOURCE_NOT_RUNNING' },
    ]);
  });
});

describe('addresses released by stop', () => {
  it('route nowhere at once: the drop is at the sender, when it sends (path: private for a 10/8 address, else public)', () => {
    const { flows, events } = run(`${WORLD}  - { at: 0s, stop: a2 }
  - { at: 1s, ping: { from: a1, to: 10.0.0.20 } }
  - { at: 4s, ping: { from: a1, to: 54.0.0.20 } }
  - { at: 7s, ping: { from: a1, to: 0.0.0.0 } }
`);
    expect(flows.map((f) => [f.outcome, f.path, f.redirected, f.explanation.code, f.explanation.message])).toEqual([
      ['timeout', 'private', false, 'NO_ROUTE_TO_DESTINATION', 'no running host holds 10.0.0.20'],
      ['timeout', 'public', false, 'NO_ROUTE_TO_DESTINATION', 'no running host holds 54.0.0.20'],
      // A stopped instance holds no address: not even 0.0.0.0.
      ['timeout', 'public', false, 'NO_ROUTE_TO_DESTINATION', 'no running host holds 0.0.0.0'],
    ]);
    expect(events.filter((e) => e.ev === 'drop')).toEqual([
      { tNs: 1e9, ev: 'drop', flow: 0, host: 'a1', proto: 'icmp', src: '10.0.0.10', dst: '10.0.0.20', code: 'NO_ROUTE_TO_DESTINATION' },
      { tNs: 4e9, ev: 'drop', flow: 1, host: 'a1', proto: 'icmp', src: '10.0.0.10', dst: '54.0.0.20', code: 'NO_ROUTE_TO_DESTINATION' },
      { tNs: 7e9, ev: 'drop', flow: 2, host: 'a1', proto: 'icmp', src: '10.0.0.10', dst: '0.0.0.0', code: 'NO_ROUTE_TO_DESTINATION' },
    ]);
  });

  it('a packet in flight to an instance that restarts meanwhile finds no route on arrival', () => {
    // eu -> a1.public: 40 ms cross-region. a1 stops at 10 ms and starts at 20 ms with new
    // addresses: the SYN arrives at a running a1 that no longer holds 10.0.0.10.
    const { flows, report, events } = run(`${WORLD}  - { at: 0s, connect: { from: eu, to: a1.public, port: 443 } }
  - { at: 10ms, stop: a1 }
  - { at: 20ms, start: a1 }
`);
    expect(pick(flows[0])).toEqual({
      outcome: 'timeout',
      path: 'public',
      redirected: false,
      source: undefined,
      destination: undefined,
      code: 'NO_ROUTE_TO_DESTINATION',
      message: 'no running host holds 54.0.0.10',
    });
    const drops = events.filter((e) => e.ev === 'drop');
    // It was sent to a1's old public address, which no host holds when it arrives.
    expect(drops[0]).toEqual({ tNs: 40e6, ev: 'drop', flow: 0, host: 'a1', proto: 'tcp', dst: '54.0.0.10', code: 'NO_ROUTE_TO_DESTINATION' });
    // The six retransmissions find no host holding the old public address.
    expect(drops.slice(1).map((e) => [e.tNs / 1e9, e.host, e.dst])).toEqual([
      [1, 'eu', '54.0.0.10'],
      [3, 'eu', '54.0.0.10'],
      [7, 'eu', '54.0.0.10'],
      [15, 'eu', '54.0.0.10'],
      [31, 'eu', '54.0.0.10'],
      [63, 'eu', '54.0.0.10'],
    ]);
    expect(report.stats).toMatchObject({ packets: 7, drops: 7 });
  });

  it('the arrival drop names the host that no longer holds the address', () => {
    // Only the first SYN is sent (a1 restarts before any retransmission, and the flow is a ping,
    // which is never retransmitted).
    const { flows } = run(`${WORLD}  - { at: 0s, ping: { from: eu, to: a1.public } }
  - { at: 10ms, stop: a1 }
  - { at: 20ms, start: a1 }
`);
    expect(flows[0]).toMatchObject({ outcome: 'timeout', explanation: { code: 'NO_ROUTE_TO_DESTINATION', message: 'a1 no longer holds 54.0.0.10' } });
  });

  it('retransmissions that find no route keep the path and redirect of the first packet', () => {
    // eu -> a1.private is redirected to a1's public address; tcp/22 is not admitted; a1 stops at
    // 2 s and the later SYNs find no route.
    const { flows } = run(`${WORLD}  - { at: 0s, connect: { from: eu, to: a1.private, port: 22 } }
  - { at: 2s, stop: a1 }
`);
    expect(pick(flows[0])).toEqual({
      outcome: 'timeout',
      path: 'public',
      redirected: true,
      source: '54.9.0.1',
      destination: '10.0.0.10',
      code: 'NO_ROUTE_TO_DESTINATION',
      // The retransmissions go where the first SYN went after the redirect: the public address.
      message: 'no running host holds 54.0.0.10',
    });
  });
});

describe('what the receiver saw, and why a flow failed', () => {
  it('source and destination are those of the packet whose verdict the report gives (a timeout: the last denied SYN), even if the sender changes address', () => {
    // a2's SYNs over the public path are dropped (group rules need the private path); at 2 s a2
    // takes an Elastic IP, so later SYNs arrive from it, and the timeout gives the last one's
    // denial (issue 15: this was the first SYN's address, against the report's own explanation).
    const { flows, events } = run(`${WORLD}  - { at: 0s, connect: { from: a2, to: a1.public, port: 22 } }
  - { at: 2s, associate: { elasticIp: 203.0.113.7, instance: a2 } }
`);
    expect(pick(flows[0])).toMatchObject({ outcome: 'timeout', source: '203.0.113.7', destination: '10.0.0.10', code: 'SG_REFERENCES_NOT_PRESERVED' });
    expect(flows[0].explanation?.message).toContain('203.0.113.7');
    expect(events.filter((e) => e.ev === 'drop').map((e) => e.src)).toEqual([
      '54.0.0.20',
      '54.0.0.20',
      '203.0.113.7',
      '203.0.113.7',
      '203.0.113.7',
      '203.0.113.7',
      '203.0.113.7',
    ]);
  });

  it('a sender that stops while its packet travels has no group identity when it arrives', () => {
    // Over the public path a running member of A would get SG_REFERENCES_NOT_PRESERVED; a2 has
    // stopped by the time its echo request arrives, so only the rules' mismatch is left (the
    // flow itself ended at the stop).
    const { flows, events } = run(`${WORLD}  - { at: 0s, ping: { from: a2, to: a1.public } }
  - { at: 500us, stop: a2 }
`);
    expect(flows[0].explanation).toEqual({ code: 'SOURCE_NOT_RUNNING', message: 'a2 was stopped while the flow waited for its answer' });
    expect(events.filter((e) => e.ev === 'drop')).toEqual([
      { tNs: 1e6, ev: 'drop', flow: 0, host: 'a1', proto: 'icmp', src: '54.0.0.20', dst: '10.0.0.10', code: 'ENI_SG_RULES_MISMATCH' },
    ]);
  });

  it('a timed-out connect is explained by the latest denial: a rule change between retransmissions is seen', () => {
    const { flows } = run(`${WORLD}  - { at: 0s, connect: { from: ext, to: b1.public, port: 22 } }
  - { at: 2s, authorize: { group: B, rule: { protocol: tcp, ports: 22, from: { cidr: 198.51.100.0/24 } } } }
  - { at: 200s, connect: { from: ext, to: b1.public, port: 23 } }
`);
    expect(flows[0].explanation).toEqual({
      code: 'ENI_SG_RULES_MISMATCH',
      message: "no rule of b1's groups (B) admits tcp/22 from 192.0.2.1 to 10.0.0.30; closest: group B admits tcp/22 from 198.51.100.0/24",
    });
    expect(flows[1].explanation.message).toBe("no rule of b1's groups (B) admits tcp/23 from 192.0.2.1 to 10.0.0.30; no rule covers tcp port 23");
  });

  it('an expired tracked flow: SIM_CONNTRACK_EXPIRED, with the idle time as of the latest SYN', () => {
    // a1 connects to c1:32768 from its port 32768; c1 admits nothing, so a1's SYNs (0 s … 63 s)
    // leave an entry (a1, tcp, c1, 32768, 32768) that idles out at 63 + 120 = 183 s. At 200 s
    // c1 connects to a1:32768 from its own first port, 32768: the same entry, expired.
    const { flows } = run(`${HEAD}groups:
  B: { region: us-east-1, ingress: [ { protocol: tcp, ports: 80, from: { cidr: 0.0.0.0/0 } } ] }
  C: { region: us-east-1 }
instances:
  a1: { region: us-east-1, zone: us-east-1a, groups: [B], privateIp: 10.0.0.10, publicIp: 54.0.0.10 }
  c1: { region: us-east-1, zone: us-east-1a, groups: [C], privateIp: 10.0.0.40, publicIp: 54.0.0.40 }
timeline:
  - { at: 0s, connect: { from: a1, to: c1.private, port: 32768 } }
  - { at: 200s, connect: { from: c1, to: a1.private, port: 32768 } }
`);
    expect(flows[0]).toMatchObject({ outcome: 'timeout', explanation: { code: 'SG_HAS_NO_RULES' } });
    expect(flows[1]).toMatchObject({ outcome: 'timeout', source: '10.0.0.40' });
    // The last SYN leaves c1 at 263 s: 200 s after a1's last packet at 63 s.
    expect(flows[1].explanation).toEqual({
      code: 'SIM_CONNTRACK_EXPIRED',
      blockers: ['ENI_SG_RULES_MISMATCH'],
      message:
        "the tracked connection idled out (200s idle, timeout 120s) and no rule of a1's groups (B) admits tcp/32768 from 10.0.0.40 to 10.0.0.10 anew",
    });
  });

  it('a propagating change names when it takes effect; the earliest of several pending', () => {
    const { flows } = run(`version: 1
name: pending
settings: { latency: { jitter: 0 }, propagationDelay: 10s }
regions: { us-east-1: {} }
groups:
  B: { region: us-east-1, ingress: [ { protocol: tcp, ports: 80, from: { cidr: 0.0.0.0/0 } } ] }
instances:
  b1: { region: us-east-1, groups: [B], privateIp: 10.0.0.30, publicIp: 54.0.0.30 }
external:
  ext: { ip: 192.0.2.1 }
timeline:
  - { at: 0s, authorize: { group: B, rule: { protocol: icmp, from: { cidr: 0.0.0.0/0 } } } }
  - { at: 1s, authorize: { group: B, rule: { protocol: icmp, icmp: "8:0", from: { cidr: 192.0.2.0/24 } } } }
  - { at: 2s, ping: { from: ext, to: b1.public } }
  - { at: 5s, authorize: { group: B, rule: { protocol: udp, ports: 53, from: { cidr: 0.0.0.0/0 } } } }
  - { at: 12s, ping: { from: ext, to: b1.public } }
  - { at: 12s, send: { from: ext, to: b1.public, port: 54 } }
  - { at: 12s, send: { from: ext, to: b1.public, port: 53 } }
`);
    expect(flows[0].explanation).toEqual({
      code: 'SIM_PROPAGATION_PENDING',
      blockers: ['ENI_SG_RULES_MISMATCH'],
      message: 'a rule change to group B that would admit icmp 8:0 from 192.0.2.1 to 10.0.0.30 is still propagating (in force at 10s)',
    });
    expect(flows[1]).toMatchObject({ outcome: 'replied', explanation: { code: 'ALLOWED_BY_RULE' } });
    // udp/54: nothing pending would admit it, though a change to B is still pending (until 15 s).
    expect(flows[2].explanation).toEqual({
      code: 'ENI_SG_RULES_MISMATCH',
      message: "no rule of b1's groups (B) admits udp/54 from 192.0.2.1 to 10.0.0.30; no rule covers udp port 54",
    });
    expect(flows[3].explanation).toEqual({
      code: 'SIM_PROPAGATION_PENDING',
      blockers: ['ENI_SG_RULES_MISMATCH'],
      message: 'a rule change to group B that would admit udp/53 from 192.0.2.1 to 10.0.0.30 is still propagating (in force at 15s)',
    });
  });
});

describe('replies', () => {
  it('a reply dropped at the client (its tracked entry idled out) is not a drop of the flow', () => {
    const { flows, events } = run(`${HEAD}settings: { latency: { jitter: 0 }, conntrack: { udp: 1ms } }
groups:
  A: { region: us-east-1, ingress: [ { from: { group: A } }, { protocol: udp, ports: 53, from: { cidr: 0.0.0.0/0 } } ] }
instances:
  a1: { region: us-east-1, groups: [A], services: [udp/53], privateIp: 10.0.0.10, publicIp: 54.0.0.10 }
  a2: { region: us-east-1, groups: [A], privateIp: 10.0.0.20, publicIp: 54.0.0.20 }
timeline:
  - { at: 0s, send: { from: a2, to: a1.public, port: 53 } }
`.replace('settings: { latency: { jitter: 0 } }\n', ''));
    expect(flows[0]).toMatchObject({ outcome: 'delivered', explanation: { code: 'ALLOWED_BY_RULE', group: 'A' } });
    expect(events.filter((e) => e.ev === 'drop')).toEqual([
      { tNs: 2e6, ev: 'drop', flow: 0, host: 'a2', proto: 'udp', src: '54.0.0.10', dst: '10.0.0.20', dport: 32768, code: 'SIM_CONNTRACK_EXPIRED' },
    ]);
  });

  it('a connect or ping whose answers are all dropped at the client times out explained by that drop', () => {
    const { flows } = run(`version: 1
name: lost answers
settings: { latency: { jitter: 0 }, conntrack: { tcpHandshake: 1ms, icmp: 1ms } }
regions: { us-east-1: {} }
groups:
  A: { region: us-east-1, ingress: [ { protocol: tcp, ports: 443, from: { cidr: 0.0.0.0/0 } }, { protocol: icmp, from: { cidr: 0.0.0.0/0 } } ] }
  C: { region: us-east-1 }
instances:
  a1: { region: us-east-1, groups: [A], services: [tcp/443], privateIp: 10.0.0.10, publicIp: 54.0.0.10 }
  c1: { region: us-east-1, groups: [C], privateIp: 10.0.0.40, publicIp: 54.0.0.40 }
timeline:
  - { at: 0s, connect: { from: c1, to: a1.public, port: 443 } }
  - { at: 200s, ping: { from: c1, to: a1.public } }
`);
    expect(flows.map((f) => [f.outcome, f.source, f.explanation])).toEqual([
      [
        'timeout',
        '54.0.0.40',
        {
          code: 'SIM_CONNTRACK_EXPIRED',
          blockers: ['SG_HAS_NO_RULES'],
          message: "the tracked connection idled out (2ms idle, timeout 1ms) and no rule of c1's groups (C) admits tcp/32768 from 54.0.0.10 to 10.0.0.40 anew",
        },
      ],
      [
        'timeout',
        '54.0.0.40',
        {
          code: 'SIM_CONNTRACK_EXPIRED',
          blockers: ['SG_HAS_NO_RULES'],
          message: "the tracked connection idled out (2ms idle, timeout 1ms) and no rule of c1's groups (C) admits icmp 0:0 from 54.0.0.10 to 10.0.0.40 anew",
        },
      ],
    ]);
  });

  it('a client that stops ends the flows waiting for answers (SOURCE_NOT_RUNNING); answers then find no route', () => {
    // a2 sends, pings and connects, and stops (at 500 us) before anything arrives: the udp flow
    // is decided on arrival; the ping and the connect end at the stop; the echo reply and the
    // SYN-ACK find no route.
    const { flows, events } = run(`${HEAD}groups:
  A: { region: us-east-1, ingress: [ { protocol: udp, ports: 53, from: { cidr: 0.0.0.0/0 } }, { protocol: tcp, ports: 443, from: { cidr: 0.0.0.0/0 } }, { protocol: icmp, from: { cidr: 0.0.0.0/0 } } ] }
instances:
  a1: { region: us-east-1, groups: [A], services: [udp/53, tcp/443], privateIp: 10.0.0.10, publicIp: 54.0.0.10 }
  a2: { region: us-east-1, groups: [A], privateIp: 10.0.0.20, publicIp: 54.0.0.20 }
timeline:
  - { at: 0s, send: { from: a2, to: a1.public, port: 53 } }
  - { at: 0s, ping: { from: a2, to: a1.public } }
  - { at: 0s, connect: { from: a2, to: a1.public, port: 443 } }
  - { at: 500us, stop: a2 }
`);
    expect(flows.map((f) => [f.outcome, f.source, f.explanation.code])).toEqual([
      ['delivered', '54.0.0.20', 'ALLOWED_BY_RULE'],
      ['timeout', '54.0.0.20', 'SOURCE_NOT_RUNNING'],
      ['timeout', '54.0.0.20', 'SOURCE_NOT_RUNNING'],
    ]);
    expect(flows[1].explanation.message).toBe('a2 was stopped while the flow waited for its answer');
    expect(events.filter((e) => e.ev === 'drop').map((e) => [e.tNs, e.host, e.proto, e.dst, e.code])).toEqual([
      [1e6, 'a1', 'udp', '54.0.0.20', 'NO_ROUTE_TO_DESTINATION'],
      [1e6, 'a1', 'icmp', '54.0.0.20', 'NO_ROUTE_TO_DESTINATION'],
      [1e6, 'a1', 'tcp', '54.0.0.20', 'NO_ROUTE_TO_DESTINATION'],
    ]);
  });

  it('a service echoes udp only on its udp ports, never on a tcp service port', () => {
    const { flows, events } = run(`${WORLD}  - { at: 0s, send: { from: a2, to: a1.private, port: 443 } }
  - { at: 1s, send: { from: a2, to: a1.private, port: 53 } }
`);
    expect(flows.map((f) => f.outcome)).toEqual(['delivered', 'delivered']);
    expect(events.filter((e) => e.ev === 'send' && e.host === 'a1').map((e) => [e.tNs, e.sport, e.dport])).toEqual([[1_000_500_000, 53, 32769]]);
  });
});

/** A running instance in us-east-1a, 10.0.0.n / 54.0.0.n, in `groups`, listening on tcp/`port`. */
function instanceOf(name: string, n: number, groups: readonly string[], port: number) {
  return {
    name,
    region: 'us-east-1',
    zone: 'us-east-1a',
    groups,
    services: [{ protocol: 'tcp' as const, ports: { from: port, to: port } }],
    state: 'running' as const,
    privateIp: parseIp(`10.0.0.${n}`),
    publicIp: parseIp(`54.0.0.${n}`),
  };
}

describe('receivers and sockets', () => {
  it('links each instance to its receiver when it is added, shared by group list; a rule change unlinks them all, instances launched later included', () => {
    const list = Object.freeze(['G']);
    const open22 = { protocol: 'tcp' as const, ports: { from: 22, to: 22 }, source: { kind: 'cidr' as const, cidr: { base: 0, prefix: 0 } } };
    const inst = (name: string, n: number) => instanceOf(name, n, list, 22);
    const world = createWorld({
      seed: '1',
      regions: [{ name: 'us-east-1', zones: ['us-east-1a'] }],
      groups: [{ key: 'G', name: 'G', region: 'us-east-1', description: 'G', ingress: [open22] }],
      instances: [inst('a', 1), inst('b', 2)],
      external: [{ name: 'ext', ip: parseIp('192.0.2.1'), services: [] }],
    });
    const sim = new Simulator({ seed: '1' });
    const settings = { ...DEFAULT_SETTINGS, propagationDelay: 0, latency: { ...DEFAULT_SETTINGS.latency, jitter: 0 } };
    const fabric = new Fabric(sim, world, settings);
    const [a, b] = [fabric.hosts[fabric.hostId('a')!], fabric.hosts[fabric.hostId('b')!]];
    expect(a.receiver).not.toBeNull();
    expect(b.receiver).toBe(a.receiver);
    const ext = fabric.hostId('ext')!;
    const connect = (index: number, to: string) => {
      const flow = newFlow(index, 'connect', 'tcp', 'ext', sim.now);
      fabric.connect(flow, ext, parseIp(to), 22);
      sim.run();
      return flow;
    };
    expect(connect(0, '54.0.0.1').outcome).toBe('connected');
    // Revoked: every instance with the list, and one launched later with the same list object,
    // must meet the group without the rule.
    fabric.applyChange({ kind: 'revoke', group: 'G', rule: open22 });
    fabric.applyChange({ kind: 'launch', instance: inst('c', 3) });
    expect(fabric.hosts[fabric.hostId('c')!].receiver).not.toBe(b.receiver);
    for (const [i, ip] of [[1, '54.0.0.2'], [2, '54.0.0.3']] as const) {
      const flow = connect(i, ip);
      expect([flow.outcome, flow.explanation?.code]).toEqual(['timeout', 'SG_HAS_NO_RULES']);
    }
  });

  it('instances launched after the build listen on their own services (the table of listening ports grows with them)', () => {
    const open = { protocol: 'tcp' as const, ports: { from: 1, to: 65535 }, source: { kind: 'cidr' as const, cidr: { base: 0, prefix: 0 } } };
    const inst = (name: string, n: number, port: number) => instanceOf(name, n, ['G'], port);
    const world = createWorld({
      seed: '1',
      regions: [{ name: 'us-east-1', zones: ['us-east-1a'] }],
      groups: [{ key: 'G', name: 'G', region: 'us-east-1', description: 'G', ingress: [open] }],
      instances: [inst('a', 1, 22)],
      external: [{ name: 'ext', ip: parseIp('192.0.2.1'), services: [] }],
    });
    const sim = new Simulator({ seed: '1' });
    const fabric = new Fabric(sim, world, { ...DEFAULT_SETTINGS, latency: { ...DEFAULT_SETTINGS.latency, jitter: 0 } });
    // Sized at the build for a and ext (and one more): five launches pass that.
    for (let k = 2; k <= 6; k++) fabric.applyChange({ kind: 'launch', instance: inst(`l${k}`, k, 1000 + k) });
    const ext = fabric.hostId('ext')!;
    const outcomes: string[] = [];
    for (const [to, port] of [['54.0.0.1', 22], ['54.0.0.6', 1006], ['54.0.0.6', 1005], ['54.0.0.4', 1004]] as const) {
      const flow = newFlow(outcomes.length, 'connect', 'tcp', 'ext', sim.now);
      fabric.connect(flow, ext, parseIp(to), port);
      sim.run();
      outcomes.push(flow.outcome!);
    }
    expect(outcomes).toEqual(['connected', 'connected', 'refused', 'connected']);
    // And each launched host's first connect takes the first ephemeral port. (A review found
    // the launches that grew the host rows starting at port 0: the port was written into the
    // rows' old array.)
    const ports: number[] = [];
    for (let k = 2; k <= 6; k++) {
      const conn = fabric.connect(newFlow(10 + k, 'connect', 'tcp', `l${k}`, sim.now), fabric.hostId(`l${k}`)!, parseIp('10.0.0.1'), 22);
      ports.push(conn!.localPort);
    }
    sim.run();
    expect(ports).toEqual([32768, 32768, 32768, 32768, 32768]);
  });

  it('group lists whose names hold the separator a joined key would use stay apart ([a\\0b, c] is not [a, b\\0c])', () => {
    const { flows } = run(`${HEAD}groups:
  "a\\0b": { region: us-east-1, ingress: [ { protocol: tcp, ports: 22, from: { cidr: 0.0.0.0/0 } } ] }
  c: { region: us-east-1 }
  a: { region: us-east-1 }
  "b\\0c": { region: us-east-1 }
instances:
  x: { region: us-east-1, groups: ["a\\0b", c], services: [tcp/22], privateIp: 10.0.0.1, publicIp: 54.0.0.1 }
  y: { region: us-east-1, groups: [a, "b\\0c"], services: [tcp/22], privateIp: 10.0.0.2, publicIp: 54.0.0.2 }
external:
  ext: { ip: 192.0.2.1 }
timeline:
  - { at: 0s, connect: { from: ext, to: x.public, port: 22 } }
  - { at: 1s, connect: { from: ext, to: y.public, port: 22 } }
`);
    expect(flows.map((f) => [f.outcome, f.explanation.code])).toEqual([
      ['connected', 'ALLOWED_BY_RULE'],
      ['timeout', 'SG_HAS_NO_RULES'],
    ]);
  });

  it('instances share a compiled receiver only when their group lists are equal (A + B is not AB)', () => {
    const yaml = (order: string) => `${HEAD}groups:
  A: { region: us-east-1 }
  B: { region: us-east-1 }
  AB: { region: us-east-1, ingress: [ { protocol: tcp, ports: 22, from: { cidr: 0.0.0.0/0 } } ] }
instances:
  x: { region: us-east-1, groups: [A, B], privateIp: 10.0.0.1, publicIp: 54.0.0.1 }
  y: { region: us-east-1, groups: [AB], privateIp: 10.0.0.2, publicIp: 54.0.0.2 }
external:
  ext: { ip: 192.0.2.1 }
timeline:
${order}`;
    const first = run(yaml(`  - { at: 0s, connect: { from: ext, to: y.public, port: 22 } }
  - { at: 1s, connect: { from: ext, to: x.public, port: 22 } }
`)).flows;
    expect(first.map((f) => [f.outcome, f.explanation.code])).toEqual([
      ['refused', 'CONNECTION_REFUSED'],
      ['timeout', 'SG_HAS_NO_RULES'],
    ]);
    const second = run(yaml(`  - { at: 0s, connect: { from: ext, to: x.public, port: 22 } }
  - { at: 1s, connect: { from: ext, to: y.public, port: 22 } }
`)).flows;
    expect(second.map((f) => [f.outcome, f.explanation.code])).toEqual([
      ['timeout', 'SG_HAS_NO_RULES'],
      ['refused', 'CONNECTION_REFUSED'],
    ]);
  });

  it('a client socket takes only the segments of its own connection; a SYN to its port from elsewhere meets the server', () => {
    // a1's connection to ext:8443 holds local port 32768. ext then connects to a1:32768 from its
    // own port 32768: admitted by the rule, no listener, so RST (refused), not a segment for the
    // client connection.
    const { flows } = run(`${HEAD}groups:
  A: { region: us-east-1, ingress: [ { protocol: tcp, ports: 32768, from: { cidr: 0.0.0.0/0 } } ] }
instances:
  a1: { region: us-east-1, groups: [A], privateIp: 10.0.0.10, publicIp: 54.0.0.10 }
external:
  ext: { ip: 192.0.2.1, services: [tcp/8443] }
timeline:
  - { at: 0s, id: out, connect: { from: a1, to: ext, port: 8443 } }
  - { at: 1s, connect: { from: ext, to: a1.public, port: 32768 } }
  - { at: 2s, transfer: out }
`);
    expect(flows.map((f) => [f.outcome, f.explanation.code])).toEqual([
      ['connected', 'NOT_FILTERED'],
      ['refused', 'CONNECTION_REFUSED'],
      ['delivered', 'NOT_FILTERED'],
    ]);
    expect(flows[0].explanation.message).toBe('ext is outside AWS: no security group filters it');
    expect(flows[1].explanation.message).toBe('a1 has no listener on tcp/32768; it answered RST (admitted by group A: tcp/32768 from 0.0.0.0/0)');
  });

  it('a tracked reply that lands in conntrack slot 0 passes like any other', () => {
    // Find a service port whose client entry (a1 -> ext:port from 32768) hashes to slot 0 of a
    // fresh table of the fabric's size; then a1 connects there: the SYN-ACK must pass by
    // conntrack (no rule of A admits it).
    const yaml = (port: number) => `${HEAD}groups:
  A: { region: us-east-1 }
instances:
  a1: { region: us-east-1, groups: [A], privateIp: 10.0.0.10, publicIp: 54.0.0.10 }
external:
  ext: { ip: 192.0.2.1, services: [tcp/1-65535] }
timeline:
  - { at: 0s, connect: { from: a1, to: ext, port: ${port} } }
`;
    const { fabric } = fabricOf(yaml(1));
    const host = fabric.hostId('a1')!;
    const table = new ConnTrackTable(fabric.settings.conntrack);
    let port = 0;
    for (let p = 1; p < 65536 && port === 0; p++) {
      if (table.track(host, TCP, parseIp('192.0.2.1'), 32768, p, 0, 1) === 0) port = p;
      table.remove(host, TCP, parseIp('192.0.2.1'), 32768, p);
    }
    expect(port).toBeGreaterThan(0);
    const { flows } = run(yaml(port));
    expect(flows[0]).toMatchObject({ outcome: 'connected', explanation: { code: 'NOT_FILTERED' } });
  });
});

describe('close and transfer on connections that are not open', () => {
  it('close: an open connection sends FIN, a timed-out one nothing, a pending one stops retransmitting', () => {
    const { flows, events, report } = run(`${WORLD}  - { at: 0s, id: open, connect: { from: ext, to: a1.public, port: 443 } }
  - { at: 0s, id: timedout, connect: { from: ext, to: b1.public, port: 22 } }
  - { at: 200s, close: open }
  - { at: 200s, close: timedout }
  - { at: 300s, id: pending, connect: { from: ext, to: b1.public, port: 23 } }
  - { at: 302s, close: pending }
`);
    expect(flows[0].outcome).toBe('connected');
    expect(flows[1].outcome).toBe('timeout');
    const late = events.filter((e) => e.ev === 'send' && e.tNs >= 200e9);
    // The pending connect sent its SYN at 300 s and its first retransmission at 301 s, then nothing.
    expect(late.map((e) => [e.tNs / 1e9, e.flags])).toEqual([
      [200, 'FIN|ACK'],
      [200.02, 'FIN|ACK'],
      [200.04, 'ACK'],
      [300, 'SYN'],
      [301, 'SYN'],
    ]);
    expect(report.stats.packets).toBe(
      // connected: SYN, SYN-ACK, ACK, FIN, FIN-ACK, ACK; timed out: 7 SYNs; pending: 2 SYNs
      6 + 7 + 2,
    );
  });

  it('closing a refused connection sends nothing; a transfer on it is dropped as not open', () => {
    const { events, flows } = run(`${WORLD}  - { at: 0s, id: r, connect: { from: ext, to: a2.public, port: 443 } }
  - { at: 0s, id: r2, connect: { from: a2, to: a1.private, port: 22 } }
  - { at: 1s, transfer: r }
  - { at: 2s, close: r }
  - { at: 2s, close: r2 }
`);
    expect(events.filter((e) => e.ev === 'send').map((e) => [e.host, e.flags])).toEqual([
      ['ext', 'SYN'],
      ['a2', 'SYN'],
      ['a1', 'RST'],
      ['a2', 'RST'],
    ]);
    expect(flows.map((f) => [f.action, f.outcome, f.explanation.code])).toEqual([
      ['connect', 'refused', 'CONNECTION_REFUSED'],
      ['connect', 'refused', 'CONNECTION_REFUSED'],
      ['transfer', 'dropped', 'CONNECTION_NOT_OPEN'],
    ]);
    expect(flows[2].explanation.message).toBe('the connection is not open (it never connected, or it was closed or reset)');
  });
});

describe('timers', () => {
  it('a connect answered before its retransmission timer leaves no timer behind', () => {
    const { report } = run(`${WORLD}  - { at: 0s, connect: { from: ext, to: a1.public, port: 443 } }
`);
    // The timeline entry, then SYN, SYN-ACK and ACK arrivals: the 1 s retransmission timer was
    // cancelled, so the run ends at 60 ms.
    expect(report.stats).toMatchObject({ events: 4, packets: 3, drops: 0, simulatedMs: 60 });
  });

  it('stopping an instance cancels its connections\' retransmission timers', () => {
    const { report, flows } = run(`${WORLD}  - { at: 0s, connect: { from: a2, to: b1.private, port: 22 } }
  - { at: 2500ms, stop: a2 }
`);
    expect(flows[0]).toMatchObject({ outcome: 'timeout', explanation: { code: 'SOURCE_NOT_RUNNING' } });
    // Two entries, SYNs at 0 and 1 s (their arrivals) and the retransmission timer at 1 s: the
    // one due at 3 s was cancelled by the stop, so the run ends with the stop at 2.5 s.
    expect(report.stats).toMatchObject({ events: 2 + 2 + 1, packets: 2, drops: 2, simulatedMs: 2500 });
  });
});

describe('wrap-around', () => {
  it('ephemeral ports run 32768 … 60999, then start again at 32768', () => {
    const { flows, events } = run(`${WORLD}  - { at: 0s, send: { from: ext, to: ext2, port: 9 }, repeat: { every: 1ms, count: 28234 } }
`);
    expect(flows).toHaveLength(28234);
    const sports = events.filter((e) => e.ev === 'send').map((e) => e.sport);
    expect(sports).toHaveLength(28234);
    expect(sports.slice(0, 2)).toEqual([32768, 32769]);
    expect(sports.slice(28230)).toEqual([60998, 60999, 32768, 32769]);
  });

  it('setNextPort sets the port the next send takes, and refuses a port outside the ephemeral range (32768-60999) or a host that is not there', () => {
    const events: TraceEvent[] = [];
    const { sim, fabric } = fabricOf(WORLD, (e) => events.push(e));
    const ext = fabric.hostId('ext')!;
    fabric.setNextPort(ext, 60999);
    fabric.sendUdp(newFlow(0, 'send', 'udp', 'ext', 0), ext, fabric.host('ext2')!.privateIp, 9, 1);
    const conn = fabric.connect(newFlow(1, 'connect', 'tcp', 'ext', 0), ext, fabric.host('ext2')!.privateIp, 9);
    sim.run();
    const sends = events.filter((e) => e.ev === 'send' && e.host === 'ext');
    expect(sends.map((e) => [e.proto, e.sport])).toEqual([['udp', 60999], ['tcp', 32768]]);
    expect(conn?.localPort).toBe(32768); // after 60999, the range starts again
    expect(() => fabric.setNextPort(ext, 22)).toThrow(new RangeError('a local port is an ephemeral port, an integer 32768 to 60999, got 22'));
    expect(() => fabric.setNextPort(ext, 32767)).toThrow(RangeError);
    expect(() => fabric.setNextPort(ext, 61000)).toThrow(RangeError);
    expect(() => fabric.setNextPort(ext, 40000.5)).toThrow(RangeError);
    expect(() => fabric.setNextPort(ext, 32768)).not.toThrow();
    expect(() => fabric.setNextPort(ext, 60999)).not.toThrow();
    expect(() => fabric.setNextPort(fabric.hosts.length, 40000)).toThrow(/no host has id/);
  });

  it('echo ids run 1 … 65535, then start again at 1', () => {
    const { flows, events } = run(`${WORLD}  - { at: 0s, ping: { from: ext, to: ext2 }, repeat: { every: 1ms, count: 65537 } }
`);
    expect(flows).toHaveLength(65537);
    expect(flows.every((f) => f.outcome === 'replied')).toBe(true);
    const ids = events.filter((e) => e.ev === 'send' && e.host === 'ext').map((e) => e.id);
    expect(ids.slice(0, 2)).toEqual([1, 2]);
    expect(ids.slice(65533)).toEqual([65534, 65535, 1, 2]);
  });
});

describe('counters and the low-level datagram API', () => {
  it('sendDatagram sends one udp datagram with no flow, or one recorded on a flow', () => {
    const events: TraceEvent[] = [];
    const { sim, fabric } = fabricOf(`${WORLD}  - { at: 0s, stop: a2 }\n`, (e) => events.push(e));
    const a2 = fabric.hostId('a2')!;
    fabric.sendDatagram(a2, 5000, parseIp('10.0.0.10'), 53);
    const flow = newFlow(0, 'send', 'udp', 'a2', 0);
    flow.pending = 1;
    fabric.sendDatagram(a2, 5001, parseIp('10.0.0.10'), 54, flow);
    sim.run();
    expect(flow).toMatchObject({ outcome: 'delivered', source: parseIp('10.0.0.20'), explanation: { code: 'ALLOWED_BY_RULE', group: 'A' } });
    // 53: delivered and echoed; 54: delivered, no listener.
    expect(fabric.stats).toMatchObject({ packets: 3, delivered: 3, drops: 0 });
    expect(events.filter((e) => e.ev === 'send').map((e) => [e.flow, e.host, e.sport, e.dport])).toEqual([
      [null, 'a2', 5000, 53],
      [0, 'a2', 5001, 54],
      [null, 'a1', 53, 5000],
    ]);
  });
});
