/**
 * The fabric's packet trace, event by event (written as mutation tests, issue 3 item 6).
 *
 * The trace (`--trace`, README "CLI") is a contract: every packet's send, redirect, source and
 * destination NAT, delivery (by rule, tracked connection or unfiltered), drop with its code,
 * conntrack hit, rule change and its taking effect, and each flow's outcome. These scenarios are
 * small enough that the whole trace is checked exactly: ports, flags, ICMP ids, flow indexes
 * (null for packets outside a flow), paths and times (latency without jitter: same zone 100us,
 * cross zone 500us, public path 1ms, internet 20ms, cross region 40ms).
 */
import { describe, expect, it } from 'vitest';
import { fabricWorld, runTraced } from './fixtures.ts';

function run(yaml: string) {
  const { report, events } = runTraced(yaml);
  // Compare plain data: a field present with the value undefined is not part of the trace.
  return { report, events: JSON.parse(JSON.stringify(events)) as Record<string, unknown>[] };
}

const WORLD = `${fabricWorld('fabric trace')}timeline:
`;

describe('the packet trace, exactly', () => {
  it('tcp over a redirected cross-region private address: handshake, transfer, close; a ping over the public path', () => {
    const { events, report } = run(`${WORLD}  - { at: 0s, id: c, connect: { from: eu, to: a1.private, port: 443 } }
  - { at: 1s, transfer: c }
  - { at: 2s, close: c }
  - { at: 3s, ping: { from: a2, to: a1.public } }
`);
    expect(events).toEqual([
      { tNs: 0, ev: 'send', flow: 0, host: 'eu', proto: 'tcp', src: '10.9.0.1', dst: '10.0.0.10', sport: 32768, dport: 443, flags: 'SYN', path: 'public' },
      { tNs: 0, ev: 'redirect', flow: 0, from: '10.0.0.10', to: '54.0.0.10' },
      { tNs: 0, ev: 'nat', flow: 0, side: 'source', from: '10.9.0.1', to: '54.9.0.1' },
      { tNs: 40000000, ev: 'nat', flow: 0, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 40000000, ev: 'deliver', flow: 0, host: 'a1', proto: 'tcp', src: '54.9.0.1', dst: '10.0.0.10', by: 'ALLOWED_BY_RULE' },
      { tNs: 40000000, ev: 'send', flow: 0, host: 'a1', proto: 'tcp', src: '10.0.0.10', dst: '54.9.0.1', sport: 443, dport: 32768, flags: 'SYN|ACK', path: 'public' },
      { tNs: 40000000, ev: 'nat', flow: 0, side: 'source', from: '10.0.0.10', to: '54.0.0.10' },
      { tNs: 80000000, ev: 'nat', flow: 0, side: 'destination', from: '54.9.0.1', to: '10.9.0.1' },
      { tNs: 80000000, ev: 'conntrack', host: 'eu', hit: true, src: '54.0.0.10', dst: '10.9.0.1' },
      { tNs: 80000000, ev: 'deliver', flow: 0, host: 'eu', proto: 'tcp', src: '54.0.0.10', dst: '10.9.0.1', by: 'TRACKED_CONNECTION' },
      { tNs: 80000000, ev: 'outcome', flow: 0, outcome: 'connected', code: 'ALLOWED_BY_RULE' },
      { tNs: 80000000, ev: 'send', flow: null, host: 'eu', proto: 'tcp', src: '10.9.0.1', dst: '54.0.0.10', sport: 32768, dport: 443, flags: 'ACK', path: 'public' },
      { tNs: 80000000, ev: 'nat', flow: null, side: 'source', from: '10.9.0.1', to: '54.9.0.1' },
      { tNs: 120000000, ev: 'nat', flow: null, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 120000000, ev: 'conntrack', host: 'a1', hit: true, src: '54.9.0.1', dst: '10.0.0.10' },
      { tNs: 120000000, ev: 'deliver', flow: null, host: 'a1', proto: 'tcp', src: '54.9.0.1', dst: '10.0.0.10', by: 'TRACKED_CONNECTION' },
      { tNs: 1000000000, ev: 'send', flow: 1, host: 'eu', proto: 'tcp', src: '10.9.0.1', dst: '54.0.0.10', sport: 32768, dport: 443, flags: 'DATA|ACK', path: 'public' },
      { tNs: 1000000000, ev: 'nat', flow: 1, side: 'source', from: '10.9.0.1', to: '54.9.0.1' },
      { tNs: 1040000000, ev: 'nat', flow: 1, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 1040000000, ev: 'conntrack', host: 'a1', hit: true, src: '54.9.0.1', dst: '10.0.0.10' },
      { tNs: 1040000000, ev: 'deliver', flow: 1, host: 'a1', proto: 'tcp', src: '54.9.0.1', dst: '10.0.0.10', by: 'TRACKED_CONNECTION' },
      { tNs: 1040000000, ev: 'outcome', flow: 1, outcome: 'delivered', code: 'TRACKED_CONNECTION' },
      { tNs: 1040000000, ev: 'send', flow: 1, host: 'a1', proto: 'tcp', src: '10.0.0.10', dst: '54.9.0.1', sport: 443, dport: 32768, flags: 'ACK', path: 'public' },
      { tNs: 1040000000, ev: 'nat', flow: 1, side: 'source', from: '10.0.0.10', to: '54.0.0.10' },
      { tNs: 1080000000, ev: 'nat', flow: 1, side: 'destination', from: '54.9.0.1', to: '10.9.0.1' },
      { tNs: 1080000000, ev: 'conntrack', host: 'eu', hit: true, src: '54.0.0.10', dst: '10.9.0.1' },
      { tNs: 1080000000, ev: 'deliver', flow: 1, host: 'eu', proto: 'tcp', src: '54.0.0.10', dst: '10.9.0.1', by: 'TRACKED_CONNECTION' },
      { tNs: 2000000000, ev: 'send', flow: null, host: 'eu', proto: 'tcp', src: '10.9.0.1', dst: '54.0.0.10', sport: 32768, dport: 443, flags: 'FIN|ACK', path: 'public' },
      { tNs: 2000000000, ev: 'nat', flow: null, side: 'source', from: '10.9.0.1', to: '54.9.0.1' },
      { tNs: 2040000000, ev: 'nat', flow: null, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 2040000000, ev: 'conntrack', host: 'a1', hit: true, src: '54.9.0.1', dst: '10.0.0.10' },
      { tNs: 2040000000, ev: 'deliver', flow: null, host: 'a1', proto: 'tcp', src: '54.9.0.1', dst: '10.0.0.10', by: 'TRACKED_CONNECTION' },
      { tNs: 2040000000, ev: 'send', flow: null, host: 'a1', proto: 'tcp', src: '10.0.0.10', dst: '54.9.0.1', sport: 443, dport: 32768, flags: 'FIN|ACK', path: 'public' },
      { tNs: 2040000000, ev: 'nat', flow: null, side: 'source', from: '10.0.0.10', to: '54.0.0.10' },
      { tNs: 2080000000, ev: 'nat', flow: null, side: 'destination', from: '54.9.0.1', to: '10.9.0.1' },
      { tNs: 2080000000, ev: 'conntrack', host: 'eu', hit: true, src: '54.0.0.10', dst: '10.9.0.1' },
      { tNs: 2080000000, ev: 'deliver', flow: null, host: 'eu', proto: 'tcp', src: '54.0.0.10', dst: '10.9.0.1', by: 'TRACKED_CONNECTION' },
      { tNs: 2080000000, ev: 'send', flow: null, host: 'eu', proto: 'tcp', src: '10.9.0.1', dst: '54.0.0.10', sport: 32768, dport: 443, flags: 'ACK', path: 'public' },
      { tNs: 2080000000, ev: 'nat', flow: null, side: 'source', from: '10.9.0.1', to: '54.9.0.1' },
      { tNs: 2120000000, ev: 'nat', flow: null, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 2120000000, ev: 'conntrack', host: 'a1', hit: true, src: '54.9.0.1', dst: '10.0.0.10' },
      { tNs: 2120000000, ev: 'deliver', flow: null, host: 'a1', proto: 'tcp', src: '54.9.0.1', dst: '10.0.0.10', by: 'TRACKED_CONNECTION' },
      { tNs: 3000000000, ev: 'send', flow: 2, host: 'a2', proto: 'icmp', src: '10.0.0.20', dst: '54.0.0.10', id: 1, icmp: '8:0', path: 'public' },
      { tNs: 3000000000, ev: 'nat', flow: 2, side: 'source', from: '10.0.0.20', to: '54.0.0.20' },
      { tNs: 3001000000, ev: 'nat', flow: 2, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 3001000000, ev: 'drop', flow: 2, host: 'a1', proto: 'icmp', src: '54.0.0.20', dst: '10.0.0.10', code: 'SG_REFERENCES_NOT_PRESERVED' },
      { tNs: 5000000000, ev: 'outcome', flow: 2, outcome: 'timeout', code: 'SG_REFERENCES_NOT_PRESERVED' },
    ]);
    expect(report.stats).toMatchObject({ packets: 9, drops: 1 });
  });

  it('udp with a listening service (echoes), udp admitted by a group rule, icmp dropped, no route at the sender', () => {
    const { events, report } = run(`${WORLD}  - { at: 0s, send: { from: ext, to: a1.public, port: 53, count: 2 } }
  - { at: 1s, send: { from: a2, to: a1.private, port: 54 } }
  - { at: 2s, ping: { from: ext, to: a1.public } }
  - { at: 3s, ping: { from: a1, to: 198.51.100.77 } }
  - { at: 4s, connect: { from: ext, to: a2.private, port: 443 } }
`);
    expect(events).toEqual([
      { tNs: 0, ev: 'send', flow: 0, host: 'ext', proto: 'udp', src: '192.0.2.1', dst: '54.0.0.10', sport: 32768, dport: 53, path: 'public' },
      { tNs: 0, ev: 'send', flow: 0, host: 'ext', proto: 'udp', src: '192.0.2.1', dst: '54.0.0.10', sport: 32768, dport: 53, path: 'public' },
      { tNs: 20000000, ev: 'nat', flow: 0, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 20000000, ev: 'deliver', flow: 0, host: 'a1', proto: 'udp', src: '192.0.2.1', dst: '10.0.0.10', by: 'ALLOWED_BY_RULE' },
      { tNs: 20000000, ev: 'send', flow: 0, host: 'a1', proto: 'udp', src: '10.0.0.10', dst: '192.0.2.1', sport: 53, dport: 32768, path: 'public' },
      { tNs: 20000000, ev: 'nat', flow: 0, side: 'source', from: '10.0.0.10', to: '54.0.0.10' },
      { tNs: 20000000, ev: 'nat', flow: 0, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 20000000, ev: 'conntrack', host: 'a1', hit: true, src: '192.0.2.1', dst: '10.0.0.10' },
      { tNs: 20000000, ev: 'deliver', flow: 0, host: 'a1', proto: 'udp', src: '192.0.2.1', dst: '10.0.0.10', by: 'TRACKED_CONNECTION' },
      { tNs: 20000000, ev: 'outcome', flow: 0, outcome: 'delivered', code: 'ALLOWED_BY_RULE' },
      { tNs: 20000000, ev: 'send', flow: 0, host: 'a1', proto: 'udp', src: '10.0.0.10', dst: '192.0.2.1', sport: 53, dport: 32768, path: 'public' },
      { tNs: 20000000, ev: 'nat', flow: 0, side: 'source', from: '10.0.0.10', to: '54.0.0.10' },
      { tNs: 40000000, ev: 'deliver', flow: 0, host: 'ext', proto: 'udp', src: '54.0.0.10', dst: '192.0.2.1', by: 'NOT_FILTERED' },
      { tNs: 40000000, ev: 'deliver', flow: 0, host: 'ext', proto: 'udp', src: '54.0.0.10', dst: '192.0.2.1', by: 'NOT_FILTERED' },
      { tNs: 1000000000, ev: 'send', flow: 1, host: 'a2', proto: 'udp', src: '10.0.0.20', dst: '10.0.0.10', sport: 32768, dport: 54, path: 'private' },
      { tNs: 1000500000, ev: 'deliver', flow: 1, host: 'a1', proto: 'udp', src: '10.0.0.20', dst: '10.0.0.10', by: 'ALLOWED_BY_RULE' },
      { tNs: 1000500000, ev: 'outcome', flow: 1, outcome: 'delivered', code: 'ALLOWED_BY_RULE' },
      { tNs: 2000000000, ev: 'send', flow: 2, host: 'ext', proto: 'icmp', src: '192.0.2.1', dst: '54.0.0.10', id: 1, icmp: '8:0', path: 'public' },
      { tNs: 2020000000, ev: 'nat', flow: 2, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 2020000000, ev: 'drop', flow: 2, host: 'a1', proto: 'icmp', src: '192.0.2.1', dst: '10.0.0.10', code: 'ENI_SG_RULES_MISMATCH' },
      { tNs: 3000000000, ev: 'drop', flow: 3, host: 'a1', proto: 'icmp', src: '10.0.0.10', dst: '198.51.100.77', code: 'NO_ROUTE_TO_DESTINATION' },
      { tNs: 4000000000, ev: 'drop', flow: 4, host: 'ext', proto: 'tcp', src: '192.0.2.1', dst: '10.0.0.20', code: 'NO_ROUTE_TO_DESTINATION' },
      { tNs: 4000000000, ev: 'outcome', flow: 2, outcome: 'timeout', code: 'ENI_SG_RULES_MISMATCH' },
      { tNs: 5000000000, ev: 'outcome', flow: 3, outcome: 'timeout', code: 'NO_ROUTE_TO_DESTINATION' },
      { tNs: 5000000000, ev: 'drop', flow: 4, host: 'ext', proto: 'tcp', src: '192.0.2.1', dst: '10.0.0.20', code: 'NO_ROUTE_TO_DESTINATION' },
      { tNs: 7000000000, ev: 'drop', flow: 4, host: 'ext', proto: 'tcp', src: '192.0.2.1', dst: '10.0.0.20', code: 'NO_ROUTE_TO_DESTINATION' },
      { tNs: 11000000000, ev: 'drop', flow: 4, host: 'ext', proto: 'tcp', src: '192.0.2.1', dst: '10.0.0.20', code: 'NO_ROUTE_TO_DESTINATION' },
      { tNs: 19000000000, ev: 'drop', flow: 4, host: 'ext', proto: 'tcp', src: '192.0.2.1', dst: '10.0.0.20', code: 'NO_ROUTE_TO_DESTINATION' },
      { tNs: 35000000000, ev: 'drop', flow: 4, host: 'ext', proto: 'tcp', src: '192.0.2.1', dst: '10.0.0.20', code: 'NO_ROUTE_TO_DESTINATION' },
      { tNs: 67000000000, ev: 'drop', flow: 4, host: 'ext', proto: 'tcp', src: '192.0.2.1', dst: '10.0.0.20', code: 'NO_ROUTE_TO_DESTINATION' },
      { tNs: 131000000000, ev: 'outcome', flow: 4, outcome: 'timeout', code: 'NO_ROUTE_TO_DESTINATION' },
    ]);
    expect(report.stats).toMatchObject({ packets: 14, drops: 9 });
    expect(report.flows.map((f) => [f.outcome, f.path, f.redirected, f.explanation.code])).toEqual([
      ['delivered', 'public', false, 'ALLOWED_BY_RULE'],
      ['delivered', 'private', false, 'ALLOWED_BY_RULE'],
      ['timeout', 'public', false, 'ENI_SG_RULES_MISMATCH'],
      // No route at the sender: the path is the one it was sent on (private for a 10/8 address
      // from an instance, else public), never redirected.
      ['timeout', 'public', false, 'NO_ROUTE_TO_DESTINATION'],
      ['timeout', 'public', false, 'NO_ROUTE_TO_DESTINATION'],
    ]);
    expect(report.flows[3].explanation.message).toBe('no running host holds 198.51.100.77');
    expect(report.flows[4].explanation.message).toBe('10.0.0.20 is a private address, not reachable from outside AWS');
  });

  it('rule changes (with their taking effect after the propagation delay) and lifecycle changes', () => {
    const yaml = `version: 1
name: changes
settings: { latency: { jitter: 0 }, propagationDelay: 2s }
regions: { us-east-1: {} }
groups:
  A: { region: us-east-1, ingress: [ { protocol: tcp, ports: 80, from: { cidr: 0.0.0.0/0 } } ] }
instances:
  a1: { region: us-east-1, groups: [A], services: [tcp/80, tcp/22], privateIp: 10.0.0.10, publicIp: 54.0.0.10 }
  a2: { region: us-east-1, groups: [A], privateIp: 10.0.0.20, publicIp: 54.0.0.20 }
external:
  ext: { ip: 192.0.2.1 }
timeline:
  - { at: 0s, authorize: { group: A, rule: { protocol: tcp, ports: 22, from: { cidr: 192.0.2.0/24 } } } }
  - { at: 500ms, id: early, connect: { from: ext, to: a1.public, port: 22 } }
  - { at: 1s, revoke: { group: A, rule: { protocol: tcp, ports: 80, from: { cidr: 0.0.0.0/0 } } } }
  - { at: 5s, launch: { name: a3, region: us-east-1, groups: [A], privateIp: 10.0.0.30, publicIp: 54.0.0.30 } }
  - { at: 6s, associate: { elasticIp: 203.0.113.5, instance: a2 } }
  - { at: 7s, associate: { elasticIp: 203.0.113.5, instance: a3 } }
  - { at: 8s, disassociate: { elasticIp: 203.0.113.5 } }
  - { at: 9s, stop: a3 }
  - { at: 10s, start: a3 }
  - { at: 11s, terminate: a3 }
`;
    const { events, report } = run(yaml);
    expect(events).toEqual([
      { tNs: 0, ev: 'change', change: 'authorize', group: 'A', rule: 'tcp/22 from 192.0.2.0/24' },
      { tNs: 500000000, ev: 'send', flow: 0, host: 'ext', proto: 'tcp', src: '192.0.2.1', dst: '54.0.0.10', sport: 32768, dport: 22, flags: 'SYN', path: 'public' },
      { tNs: 520000000, ev: 'nat', flow: 0, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 520000000, ev: 'drop', flow: 0, host: 'a1', proto: 'tcp', src: '192.0.2.1', dst: '10.0.0.10', dport: 22, code: 'SIM_PROPAGATION_PENDING' },
      { tNs: 1000000000, ev: 'change', change: 'revoke', group: 'A', rule: 'tcp/80 from 0.0.0.0/0' },
      { tNs: 1500000000, ev: 'send', flow: 0, host: 'ext', proto: 'tcp', src: '192.0.2.1', dst: '54.0.0.10', sport: 32768, dport: 22, flags: 'SYN', path: 'public' },
      { tNs: 1520000000, ev: 'nat', flow: 0, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 1520000000, ev: 'drop', flow: 0, host: 'a1', proto: 'tcp', src: '192.0.2.1', dst: '10.0.0.10', dport: 22, code: 'SIM_PROPAGATION_PENDING' },
      { tNs: 2000000000, ev: 'effective', change: 'authorize', group: 'A', rule: 'tcp/22 from 192.0.2.0/24' },
      { tNs: 3000000000, ev: 'effective', change: 'revoke', group: 'A', rule: 'tcp/80 from 0.0.0.0/0' },
      { tNs: 3500000000, ev: 'send', flow: 0, host: 'ext', proto: 'tcp', src: '192.0.2.1', dst: '54.0.0.10', sport: 32768, dport: 22, flags: 'SYN', path: 'public' },
      { tNs: 3520000000, ev: 'nat', flow: 0, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 3520000000, ev: 'deliver', flow: 0, host: 'a1', proto: 'tcp', src: '192.0.2.1', dst: '10.0.0.10', by: 'ALLOWED_BY_RULE' },
      { tNs: 3520000000, ev: 'send', flow: 0, host: 'a1', proto: 'tcp', src: '10.0.0.10', dst: '192.0.2.1', sport: 22, dport: 32768, flags: 'SYN|ACK', path: 'public' },
      { tNs: 3520000000, ev: 'nat', flow: 0, side: 'source', from: '10.0.0.10', to: '54.0.0.10' },
      { tNs: 3540000000, ev: 'deliver', flow: 0, host: 'ext', proto: 'tcp', src: '54.0.0.10', dst: '192.0.2.1', by: 'NOT_FILTERED' },
      { tNs: 3540000000, ev: 'outcome', flow: 0, outcome: 'connected', code: 'ALLOWED_BY_RULE' },
      { tNs: 3540000000, ev: 'send', flow: null, host: 'ext', proto: 'tcp', src: '192.0.2.1', dst: '54.0.0.10', sport: 32768, dport: 22, flags: 'ACK', path: 'public' },
      { tNs: 3560000000, ev: 'nat', flow: null, side: 'destination', from: '54.0.0.10', to: '10.0.0.10' },
      { tNs: 3560000000, ev: 'conntrack', host: 'a1', hit: true, src: '192.0.2.1', dst: '10.0.0.10' },
      { tNs: 3560000000, ev: 'deliver', flow: null, host: 'a1', proto: 'tcp', src: '192.0.2.1', dst: '10.0.0.10', by: 'TRACKED_CONNECTION' },
      { tNs: 5000000000, ev: 'change', change: 'launch', instance: 'a3' },
      { tNs: 6000000000, ev: 'change', change: 'associate', elasticIp: '203.0.113.5', instance: 'a2' },
      { tNs: 7000000000, ev: 'change', change: 'associate', elasticIp: '203.0.113.5', instance: 'a3' },
      { tNs: 8000000000, ev: 'change', change: 'disassociate', elasticIp: '203.0.113.5' },
      { tNs: 9000000000, ev: 'change', change: 'stop', instance: 'a3' },
      { tNs: 10000000000, ev: 'change', change: 'start', instance: 'a3' },
      { tNs: 11000000000, ev: 'change', change: 'terminate', instance: 'a3' },
    ]);
    expect(report.stats).toMatchObject({ packets: 5, drops: 2 });
  });
});
