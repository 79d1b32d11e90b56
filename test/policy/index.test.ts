/**
 * test/policy/index: the SegmentTable (elementary intervals, lowest rule per interval) and
 * CompiledReceiver over one group (per protocol, a trie of CIDR rules over source bits and
 * group-reference buckets; with one group the packed admission is the rule index).
 * The differential property against the plain scan is in evaluate.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CompiledReceiver, SegmentTable } from '../../src/policy/index.ts';
import type { Rule, RuleSource, SecurityGroup } from '../../src/model/types.ts';
import { ICMP, TCP, UDP, icmpKey } from '../../src/net/protocol.ts';

const NONE = 0x7fffffff;

function group(ingress: Rule[], key = 'g'): SecurityGroup {
  return { key, name: key, region: 'us-east-1', ingress };
}
const cidr = (base: number, prefix: number): RuleSource => ({ kind: 'cidr', cidr: { base, prefix } });
const ANY = cidr(0, 0);

describe('SegmentTable', () => {
  it('an empty table answers NONE everywhere', () => {
    const t = SegmentTable.build([]);
    expect(Array.from(t.starts)).toEqual([0]);
    expect([0, 1, 65535].map((k) => t.lookup(k))).toEqual([NONE, NONE, NONE]);
  });

  it('splits the key space at every from and to+1, and keeps the lowest rule per segment', () => {
    const t = SegmentTable.build([
      { range: { from: 10, to: 20 }, rule: 3 },
      { range: { from: 15, to: 30 }, rule: 1 },
      { range: { from: 25, to: 25 }, rule: 0 },
    ]);
    expect(Array.from(t.starts)).toEqual([0, 10, 15, 21, 25, 26, 31]);
    expect(Array.from(t.best)).toEqual([NONE, 3, 1, 1, 0, 1, NONE]);
    const at = (k: number): number => t.lookup(k);
    expect([9, 10, 14, 15, 20, 21, 24, 25, 26, 30, 31, 65535].map(at)).toEqual([
      NONE, 3, 3, 1, 1, 1, 1, 0, 1, 1, NONE, NONE,
    ]);
  });

  it('handles ranges touching 0 and 65535 (no segment past the end)', () => {
    const t = SegmentTable.build([
      { range: { from: 0, to: 0 }, rule: 5 },
      { range: { from: 65535, to: 65535 }, rule: 2 },
    ]);
    expect(Array.from(t.starts)).toEqual([0, 1, 65535]);
    expect([0, 1, 65534, 65535].map((k) => t.lookup(k))).toEqual([5, NONE, NONE, 2]);
  });

  it('a full range under a narrower lower-numbered one', () => {
    const t = SegmentTable.build([
      { range: { from: 0, to: 65535 }, rule: 7 },
      { range: { from: 22, to: 22 }, rule: 4 },
    ]);
    expect([0, 21, 22, 23, 65535].map((k) => t.lookup(k))).toEqual([7, 7, 4, 7, 7]);
  });

  it('agrees with a brute-force lowest-covering-rule over the whole key space', () => {
    const items = [
      { range: { from: 100, to: 200 }, rule: 9 },
      { range: { from: 150, to: 150 }, rule: 2 },
      { range: { from: 0, to: 120 }, rule: 6 },
      { range: { from: 199, to: 65535 }, rule: 4 },
      { range: { from: 120, to: 199 }, rule: 8 },
    ];
    const t = SegmentTable.build(items);
    for (let k = 0; k <= 65535; k++) {
      let best = NONE;
      for (const it of items) if (k >= it.range.from && k <= it.range.to && it.rule < best) best = it.rule;
      if (t.lookup(k) !== best) throw new Error(`key ${k}: ${t.lookup(k)} != ${best}`);
    }
  });
});

/** One group compiled as a receiver's only group: match() then returns the rule index. */
const compileOne = (g: SecurityGroup) => CompiledReceiver.compile([g]);

describe('CompiledReceiver over one group', () => {
  it('an empty group matches nothing', () => {
    const g = compileOne(group([]));
    expect(g.match(TCP, 22, 0x01020304, ['x'])).toBe(-1);
    expect(g.match(ICMP, icmpKey(8, 0), 0, null)).toBe(-1);
  });

  it('tcp port edges', () => {
    const g = compileOne(group([{ protocol: 'tcp', ports: { from: 8000, to: 8080 }, source: ANY }]));
    expect([7999, 8000, 8080, 8081].map((p) => g.match(TCP, p, 1, null))).toEqual([-1, 0, 0, -1]);
    expect(g.match(UDP, 8000, 1, null)).toBe(-1);
  });

  it('returns the lowest matching rule index across prefix lengths and group references', () => {
    const g = compileOne(
      group([
        { protocol: 'tcp', ports: { from: 22, to: 22 }, source: cidr(0x01020304, 32) }, // 0
        { protocol: 'tcp', ports: { from: 0, to: 65535 }, source: { kind: 'group', group: 'app' } }, // 1
        { protocol: 'all', source: cidr(0x01000000, 8) }, // 2
        { protocol: 'tcp', ports: { from: 20, to: 30 }, source: ANY }, // 3
      ]),
    );
    expect(g.match(TCP, 22, 0x01020304, null)).toBe(0);
    expect(g.match(TCP, 22, 0x01020305, null)).toBe(2);
    expect(g.match(TCP, 22, 0x01020305, ['app'])).toBe(1);
    expect(g.match(TCP, 22, 0x02000000, null)).toBe(3);
    expect(g.match(TCP, 31, 0x02000000, null)).toBe(-1);
    expect(g.match(TCP, 31, 0x02000000, ['other', 'app'])).toBe(1);
    expect(g.match(UDP, 31, 0x01ffffff, null)).toBe(2);
    expect(g.match(ICMP, icmpKey(8, 0), 0x01ffffff, null)).toBe(2);
    expect(g.match(ICMP, icmpKey(8, 0), 0x02000000, ['app'])).toBe(-1);
  });

  it('icmp rules index type/code with -1', () => {
    const g = compileOne(
      group([
        { protocol: 'icmp', icmp: { type: 8, code: 0 }, source: ANY }, // 0
        { protocol: 'icmp', icmp: { type: 3, code: -1 }, source: ANY }, // 1
        { protocol: 'icmp', icmp: { type: -1, code: -1 }, source: cidr(0x0a000000, 8) }, // 2
      ]),
    );
    expect(g.match(ICMP, icmpKey(8, 0), 1, null)).toBe(0);
    expect(g.match(ICMP, icmpKey(8, 1), 1, null)).toBe(-1);
    expect(g.match(ICMP, icmpKey(3, 0), 1, null)).toBe(1);
    expect(g.match(ICMP, icmpKey(3, 255), 1, null)).toBe(1);
    expect(g.match(ICMP, icmpKey(4, 0), 1, null)).toBe(-1);
    expect(g.match(ICMP, icmpKey(4, 0), 0x0a000001, null)).toBe(2);
    expect(g.match(TCP, icmpKey(8, 0), 1, null)).toBe(-1);
  });

  it('CIDR /0 and /32 buckets, including 255.255.255.255', () => {
    const g = compileOne(
      group([
        { protocol: 'udp', ports: { from: 53, to: 53 }, source: cidr(0xffffffff, 32) },
        { protocol: 'udp', ports: { from: 53, to: 53 }, source: ANY },
      ]),
    );
    expect(g.match(UDP, 53, 0xffffffff, null)).toBe(0);
    expect(g.match(UDP, 53, 0xfffffffe, null)).toBe(1);
    expect(g.match(UDP, 53, 0, null)).toBe(1);
  });

  it('group-reference rules match only the sender groups passed (null: none)', () => {
    const g = compileOne(group([{ protocol: 'all', source: { kind: 'group', group: 'B' } }]));
    expect(g.match(TCP, 3306, 1, ['B'])).toBe(0);
    expect(g.match(TCP, 3306, 1, ['A'])).toBe(-1);
    expect(g.match(TCP, 3306, 1, null)).toBe(-1);
    expect(g.match(TCP, 3306, 1, [])).toBe(-1);
  });

  it('compiling leaves the group untouched and exposes it', () => {
    const src = group([{ protocol: 'tcp', ports: { from: 1, to: 2 }, source: ANY }]);
    const before = structuredClone(src);
    const g = compileOne(src);
    expect(g.groups[0]).toBe(src);
    expect(src).toEqual(before);
  });
});
