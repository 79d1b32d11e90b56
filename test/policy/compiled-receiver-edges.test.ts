/**
 * The compiled receiver at its edges: it admits nothing of a protocol classic does not know
 * (even under protocol "all"), and it names the same rule as the plain scan when group
 * references and CIDR rules meet in one receiver; beside them, formatSeconds (the durations of
 * denial messages) switches unit exactly at 1 s and 1 ms. Written against mutants the other
 * policy tests let survive (issue 3, item 6; docs/verification.md).
 */
import { describe, expect, it } from 'vitest';
import { CompiledReceiver } from '../../src/policy/index.ts';
import { admissionOf, admitLinear, admitReceiver, formatSeconds } from '../../src/policy/evaluate.ts';
import type { IngressView } from '../../src/policy/match.ts';
import type { Rule, SecurityGroup } from '../../src/model/types.ts';
import { ICMP, TCP, UDP, icmpKey } from '../../src/net/protocol.ts';
import { parseIp as parseIpOrError, type Ip } from '../../src/net/ipv4.ts';

function parseIp(text: string): Ip {
  const v = parseIpOrError(text);
  if (typeof v !== 'number') throw new Error(v.error);
  return v;
}

function group(key: string, ingress: Rule[]): SecurityGroup {
  return { key, name: key, region: 'us-east-1', ingress };
}
const ANY: Rule['source'] = { kind: 'cidr', cidr: { base: 0, prefix: 0 } };

describe('CompiledReceiver.match', () => {
  const everything = CompiledReceiver.compile([group('A', [{ protocol: 'all', source: ANY }, { protocol: 'all', source: { kind: 'group', group: 'A' } }])]);

  it('admits tcp, udp and icmp under protocol "all", and nothing of any other protocol number', () => {
    expect(everything.match(TCP, 22, 1, null)).toBe(0);
    expect(everything.match(UDP, 53, 1, ['A'])).toBe(0);
    expect(everything.match(ICMP, icmpKey(8, 0), 1, null)).toBe(0);
    for (const other of [0, 2, 4, 41, 47, 50, 132, 255]) {
      expect(everything.match(other, 0, 1, ['A'])).toBe(-1);
      expect(everything.match(other, 443, 0, null)).toBe(-1);
    }
  });

  it('agrees with the plain scan when CIDR rules and group references meet in one receiver', () => {
    const a = group('A', [
      { protocol: 'tcp', ports: { from: 22, to: 22 }, source: { kind: 'group', group: 'G' } }, // 0
      { protocol: 'tcp', ports: { from: 1, to: 1000 }, source: { kind: 'cidr', cidr: { base: parseIp('10.0.0.0'), prefix: 8 } } }, // 1
      { protocol: 'udp', source: { kind: 'group', group: 'H' } }, // 2
    ]);
    const b = group('B', [
      { protocol: 'tcp', ports: { from: 22, to: 22 }, source: { kind: 'cidr', cidr: { base: parseIp('10.1.2.3'), prefix: 32 } } }, // 0
      { protocol: 'icmp', icmp: { type: 8, code: -1 }, source: { kind: 'group', group: 'G' } }, // 1
    ]);
    const receiver = CompiledReceiver.compile([a, b]);
    const views: IngressView[] = [];
    for (const protocol of [TCP, UDP, ICMP])
      for (const key of [1, 22, 23, 1000, 1001, icmpKey(8, 0), icmpKey(8, 255), icmpKey(0, 0)])
        for (const source of [parseIp('10.1.2.3'), parseIp('10.9.9.9'), parseIp('11.0.0.1')])
          for (const senderGroups of [null, ['G'], ['H'], ['X', 'H', 'G']])
            for (const privatePath of [true, false]) views.push({ protocol, key, source, privatePath, senderGroups });
    let admitted = 0;
    for (const v of views) {
      const linear = admitLinear([a, b], v);
      const packed = admitReceiver(receiver, v);
      if (linear === null) expect(packed).toBe(-1);
      else {
        admitted++;
        expect(admissionOf([a, b], packed)).toEqual(linear);
      }
    }
    expect(admitted).toBeGreaterThan(50);
    // The canonical choice across groups: A's group rule 0 beats B's /32 rule 0 for a member of G.
    expect(admitReceiver(receiver, { protocol: TCP, key: 22, source: parseIp('10.1.2.3'), privatePath: true, senderGroups: ['G'] })).toBe(0);
    expect(admitReceiver(receiver, { protocol: TCP, key: 22, source: parseIp('11.0.0.1'), privatePath: true, senderGroups: ['G'] })).toBe(0);
    expect(admitReceiver(receiver, { protocol: TCP, key: 22, source: parseIp('10.1.2.3'), privatePath: false, senderGroups: ['G'] })).toBe(1);
    expect(admitReceiver(receiver, { protocol: ICMP, key: icmpKey(8, 3), source: parseIp('11.0.0.1'), privatePath: true, senderGroups: ['G'] })).toBe(
      0x1000000 + 1,
    );
  });
});

describe('formatSeconds', () => {
  it('switches unit exactly at 1 s and 1 ms', () => {
    expect(formatSeconds(1_000_000_000)).toBe('1s');
    expect(formatSeconds(999_999_999)).toBe('1000ms'); // 999.999999 ms, to three decimals
    expect(formatSeconds(1_000_000)).toBe('1ms');
    expect(formatSeconds(999_999)).toBe('999.999us');
    expect(formatSeconds(1_000)).toBe('1us');
    expect(formatSeconds(0)).toBe('0s');
  });
});
