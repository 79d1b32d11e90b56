/**
 * test/policy/match: the meaning of one rule for one packet — protocol and destination port
 * (tcp/udp, inclusive edges), icmp type/code with -1, `all`, CIDR sources (/0, /32) matched
 * against the source as seen, and group sources matched only on the private path and only for
 * a sender in that group.
 */
import { describe, expect, it } from 'vitest';
import { coversSource, coversTraffic, ruleMatches } from '../../src/policy/match.ts';
import type { IngressView } from '../../src/policy/match.ts';
import type { Rule, RuleSource } from '../../src/model/types.ts';
import { ICMP, TCP, UDP, icmpKey } from '../../src/net/protocol.ts';

const ANY: RuleSource = { kind: 'cidr', cidr: { base: 0, prefix: 0 } };
const SRC = 0x01020304; // 1.2.3.4

function view(over: Partial<IngressView> = {}): IngressView {
  return { protocol: TCP, key: 22, source: SRC, privatePath: true, senderGroups: null, ...over };
}

describe('coversTraffic: tcp / udp port ranges', () => {
  const tcp: Rule = { protocol: 'tcp', ports: { from: 8000, to: 8080 }, source: ANY };
  const udp: Rule = { protocol: 'udp', ports: { from: 8000, to: 8080 }, source: ANY };

  it.each([
    [7999, false],
    [8000, true],
    [8001, true],
    [8079, true],
    [8080, true],
    [8081, false],
  ])('tcp 8000-8080 at port %d: %s', (port, expected) => {
    expect(coversTraffic(tcp, TCP, port)).toBe(expected);
    expect(coversTraffic(udp, UDP, port)).toBe(expected);
  });

  it('never crosses protocols', () => {
    expect(coversTraffic(tcp, UDP, 8000)).toBe(false);
    expect(coversTraffic(tcp, ICMP, 8000)).toBe(false);
    expect(coversTraffic(udp, TCP, 8000)).toBe(false);
    expect(coversTraffic(udp, ICMP, 8000)).toBe(false);
  });

  it('a single port covers only itself', () => {
    const r: Rule = { protocol: 'tcp', ports: { from: 22, to: 22 }, source: ANY };
    expect([21, 22, 23].map((p) => coversTraffic(r, TCP, p))).toEqual([false, true, false]);
  });

  it('0-65535 covers both ends', () => {
    const r: Rule = { protocol: 'udp', ports: { from: 0, to: 65535 }, source: ANY };
    expect(coversTraffic(r, UDP, 0)).toBe(true);
    expect(coversTraffic(r, UDP, 65535)).toBe(true);
  });
});

describe('coversTraffic: icmp', () => {
  const icmp = (type: number, code: number): Rule => ({ protocol: 'icmp', icmp: { type, code }, source: ANY });

  it('type -1 covers every type and code, and only icmp', () => {
    const r = icmp(-1, -1);
    expect(coversTraffic(r, ICMP, icmpKey(0, 0))).toBe(true);
    expect(coversTraffic(r, ICMP, icmpKey(8, 0))).toBe(true);
    expect(coversTraffic(r, ICMP, icmpKey(255, 255))).toBe(true);
    expect(coversTraffic(r, TCP, 0)).toBe(false);
    expect(coversTraffic(r, UDP, 0)).toBe(false);
  });

  it('a missing icmp field means any type and code', () => {
    const r: Rule = { protocol: 'icmp', source: ANY };
    expect(coversTraffic(r, ICMP, icmpKey(3, 4))).toBe(true);
  });

  it('type 3 code -1 covers every code of type 3, not types 2 or 4', () => {
    const r = icmp(3, -1);
    expect(coversTraffic(r, ICMP, icmpKey(3, 0))).toBe(true);
    expect(coversTraffic(r, ICMP, icmpKey(3, 255))).toBe(true);
    expect(coversTraffic(r, ICMP, icmpKey(2, 255))).toBe(false);
    expect(coversTraffic(r, ICMP, icmpKey(4, 0))).toBe(false);
  });

  it('type 8 code 0 covers echo request only', () => {
    const r = icmp(8, 0);
    expect(coversTraffic(r, ICMP, icmpKey(8, 0))).toBe(true);
    expect(coversTraffic(r, ICMP, icmpKey(8, 1))).toBe(false);
    expect(coversTraffic(r, ICMP, icmpKey(0, 0))).toBe(false);
    expect(coversTraffic(r, ICMP, icmpKey(7, 255))).toBe(false);
  });
});

describe('coversTraffic: all', () => {
  it('covers tcp, udp and icmp on every key', () => {
    const r: Rule = { protocol: 'all', source: ANY };
    for (const [p, k] of [
      [TCP, 0],
      [TCP, 65535],
      [UDP, 53],
      [ICMP, icmpKey(8, 0)],
      [ICMP, icmpKey(255, 255)],
    ]) {
      expect(coversTraffic(r, p, k)).toBe(true);
    }
  });
});

describe('coversSource', () => {
  const cidr = (base: number, prefix: number): Rule => ({
    protocol: 'all',
    source: { kind: 'cidr', cidr: { base, prefix } },
  });

  it('/0 admits every source, private path or not, any sender', () => {
    for (const s of [0, 0xffffffff, SRC]) {
      expect(coversSource(cidr(0, 0), view({ source: s, privatePath: false }))).toBe(true);
      expect(coversSource(cidr(0, 0), view({ source: s, privatePath: true, senderGroups: ['x'] }))).toBe(true);
    }
  });

  it('/32 admits exactly its address', () => {
    const r = cidr(SRC, 32);
    expect(coversSource(r, view({ source: SRC }))).toBe(true);
    expect(coversSource(r, view({ source: SRC + 1 }))).toBe(false);
    expect(coversSource(r, view({ source: SRC - 1 }))).toBe(false);
  });

  it('a CIDR is matched against the source as seen, whatever the path', () => {
    const r = cidr(0x0a000000, 8);
    expect(coversSource(r, view({ source: 0x0a010203, privatePath: true }))).toBe(true);
    expect(coversSource(r, view({ source: 0x0a010203, privatePath: false }))).toBe(true);
    expect(coversSource(r, view({ source: 0x36010203, privatePath: true }))).toBe(false);
  });

  it('a group source matches only on the private path and only a sender in that group', () => {
    const r: Rule = { protocol: 'all', source: { kind: 'group', group: 'app' } };
    expect(coversSource(r, view({ privatePath: true, senderGroups: ['web', 'app'] }))).toBe(true);
    expect(coversSource(r, view({ privatePath: false, senderGroups: ['web', 'app'] }))).toBe(false);
    expect(coversSource(r, view({ privatePath: true, senderGroups: ['web'] }))).toBe(false);
    expect(coversSource(r, view({ privatePath: true, senderGroups: [] }))).toBe(false);
    expect(coversSource(r, view({ privatePath: true, senderGroups: null }))).toBe(false);
  });

  it('a group source ignores the source address entirely', () => {
    const r: Rule = { protocol: 'all', source: { kind: 'group', group: 'app' } };
    expect(coversSource(r, view({ source: 0, senderGroups: ['app'] }))).toBe(true);
    expect(coversSource(r, view({ source: 0xffffffff, senderGroups: ['app'] }))).toBe(true);
  });
});

describe('ruleMatches', () => {
  it('needs both traffic and source', () => {
    const r: Rule = { protocol: 'tcp', ports: { from: 3306, to: 3306 }, source: { kind: 'cidr', cidr: { base: SRC, prefix: 32 } } };
    expect(ruleMatches(r, view({ key: 3306 }))).toBe(true);
    expect(ruleMatches(r, view({ key: 3307 }))).toBe(false);
    expect(ruleMatches(r, view({ key: 3306, source: SRC + 1 }))).toBe(false);
    expect(ruleMatches(r, view({ key: 3306, protocol: UDP }))).toBe(false);
  });

  it('a group rule with limited ports admits the member on those ports over the private path only', () => {
    const r: Rule = { protocol: 'tcp', ports: { from: 3306, to: 3306 }, source: { kind: 'group', group: 'B' } };
    expect(ruleMatches(r, view({ key: 3306, senderGroups: ['B'] }))).toBe(true);
    expect(ruleMatches(r, view({ key: 22, senderGroups: ['B'] }))).toBe(false);
    expect(ruleMatches(r, view({ key: 3306, senderGroups: ['B'], privatePath: false }))).toBe(false);
  });
});
