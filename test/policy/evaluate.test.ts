/**
 * test/policy/evaluate: the union over a receiver's groups, the canonical rule choice (first
 * group in order, lowest rule index), the differential property admitReceiver(compiled) ==
 * admitLinear(plain scan), the same for the tiered Receiver (scan, then compiled), matchFlat
 * and firstSenderGroupRule, and explainDenial's codes and messages.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  admitReceiver,
  admitLinear,
  describeRule,
  describeTraffic,
  explainDenial,
  formatSeconds,
  admissionOf,
} from '../../src/policy/evaluate.ts';
import { PacketDenial, RuleAdmission, type DenialContext, type HostDirectory } from '../../src/policy/evaluate.ts';
import { settledDenial } from '../../src/policy/settled-denial.ts';
import { CompiledReceiver, FlatRules, Receiver, RuleArena, firstSenderGroupRule, matchFlat } from '../../src/policy/index.ts';
import { coversTraffic, type IngressView } from '../../src/policy/match.ts';
import type { Rule, RuleSource, SecurityGroup } from '../../src/model/types.ts';
import { ICMP, TCP, UDP, icmpKey } from '../../src/net/protocol.ts';
import { maskOf } from '../../src/net/ipv4.ts';

const cidr = (base: number, prefix: number): RuleSource => ({ kind: 'cidr', cidr: { base, prefix } });
const ANY = cidr(0, 0);
const ADMIN = 0x01020304; // 1.2.3.4
const DEST = 0x0a000005; // 10.0.0.5

function group(key: string, ingress: Rule[]): SecurityGroup {
  return { key, name: key.startsWith('default/') ? 'default' : key, region: 'us-east-1', ingress };
}
function view(over: Partial<IngressView> = {}): IngressView {
  return { protocol: TCP, key: 22, source: ADMIN, privatePath: false, senderGroups: null, ...over };
}
const compile = (gs: SecurityGroup[]): CompiledReceiver => CompiledReceiver.compile(gs);
const packedOf = (g: number, r: number): number => g * 0x1000000 + r;

describe('admission: canonical rule choice', () => {
  const a = group('A', [
    { protocol: 'tcp', ports: { from: 1000, to: 2000 }, source: ANY }, // 0
    { protocol: 'tcp', ports: { from: 22, to: 22 }, source: cidr(ADMIN, 32), description: 'admin' }, // 1
    { protocol: 'tcp', ports: { from: 0, to: 65535 }, source: ANY }, // 2
  ]);
  const b = group('B', [{ protocol: 'tcp', ports: { from: 22, to: 22 }, source: ANY }]);

  it('names the lowest-numbered matching rule of a group, not the most specific', () => {
    const v = view({ key: 22 });
    expect(admitReceiver(compile([a]), v)).toBe(packedOf(0, 1));
    expect(admitLinear([a], v)).toEqual({ groupPosition: 0, group: a, ruleIndex: 1, rule: a.ingress[1] });
    expect(admitReceiver(compile([a]), view({ key: 1500 }))).toBe(packedOf(0, 0));
    expect(admitReceiver(compile([a]), view({ key: 22, source: ADMIN + 1 }))).toBe(packedOf(0, 2));
  });

  it('names the first group in the instance order that matches', () => {
    const v = view({ key: 22, source: 0x05050505 });
    expect(admitReceiver(compile([a, b]), v)).toBe(packedOf(0, 2));
    expect(admitReceiver(compile([b, a]), v)).toBe(packedOf(0, 0));
    const empty = group('E', []);
    expect(admitReceiver(compile([empty, b, a]), v)).toBe(packedOf(1, 0));
  });

  it('admissionOf recovers group, position, rule index and rule', () => {
    const gs = compile([group('E', []), a]);
    const packed = admitReceiver(gs, view({ key: 22 }));
    expect(admissionOf(gs.groups, packed)).toEqual({ groupPosition: 1, group: a, ruleIndex: 1, rule: a.ingress[1] });
  });

  it('no rule: -1 and null', () => {
    const v = view({ key: 23, source: ADMIN, protocol: UDP });
    expect(admitReceiver(compile([a, b]), v)).toBe(-1);
    expect(admitLinear([a, b], v)).toBeNull();
    expect(admitReceiver(compile([]), v)).toBe(-1);
    expect(admitLinear([], v)).toBeNull();
  });

  it('group rules never admit the public path, even with sender groups given', () => {
    const g = group('A', [{ protocol: 'all', source: { kind: 'group', group: 'B' } }]);
    expect(admitReceiver(compile([g]), view({ privatePath: false, senderGroups: ['B'] }))).toBe(-1);
    expect(admitLinear([g], view({ privatePath: false, senderGroups: ['B'] }))).toBeNull();
    expect(admitReceiver(compile([g]), view({ privatePath: true, senderGroups: ['B'] }))).toBe(packedOf(0, 0));
  });

  it('the default group admits its members on the private path only (self-reference)', () => {
    const d = group('default/us-east-1', [{ protocol: 'all', source: { kind: 'group', group: 'default/us-east-1' } }]);
    const member = { senderGroups: ['default/us-east-1'] };
    expect(admitReceiver(compile([d]), view({ ...member, privatePath: true, protocol: UDP, key: 9 }))).toBe(0);
    expect(admitReceiver(compile([d]), view({ ...member, privatePath: false }))).toBe(-1);
    expect(admitReceiver(compile([d]), view({ senderGroups: ['web'], privatePath: true }))).toBe(-1);
  });
});

// ------------------------------------------------------------------------------------------
// Differential property: compiled index == plain scan.

const GROUP_NAMES = ['g0', 'g1', 'g2', 'default/us-east-1'];
/** A small pool of addresses so that CIDRs and sources often meet. */
const ADDRS = [0, 0xffffffff, 0x0a000001, 0x0a0000ff, 0x0a010203, 0x01020304, 0x36000001, 0x7fffffff, 0x80000000, 0xc0a80101];

const edgePort = fc.oneof(
  fc.constantFrom(0, 1, 21, 22, 23, 79, 80, 81, 443, 1023, 1024, 3306, 8000, 8080, 65534, 65535),
  fc.integer({ min: 0, max: 65535 }),
);
const portRange = fc.tuple(edgePort, edgePort).map(([x, y]) => ({ from: Math.min(x, y), to: Math.max(x, y) }));
const icmpType = fc.oneof(fc.constantFrom(-1, 0, 3, 8, 11, 255), fc.integer({ min: -1, max: 255 }));
const icmpCode = fc.oneof(fc.constantFrom(-1, 0, 1, 4, 255), fc.integer({ min: -1, max: 255 }));
const address = fc.oneof(
  fc.constantFrom(...ADDRS),
  fc.constantFrom(...ADDRS).chain((a) => fc.integer({ min: 0, max: 31 }).map((bit) => (a ^ (1 << bit)) >>> 0)),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const cidrSource: fc.Arbitrary<RuleSource> = fc
  .tuple(address, fc.integer({ min: 0, max: 32 }))
  .map(([a, prefix]) => cidr((a & maskOf(prefix)) >>> 0, prefix));
const groupSource: fc.Arbitrary<RuleSource> = fc.constantFrom(...GROUP_NAMES).map((g) => ({ kind: 'group', group: g }));
const source = fc.oneof({ arbitrary: cidrSource, weight: 3 }, { arbitrary: groupSource, weight: 1 });

const rule: fc.Arbitrary<Rule> = fc.oneof(
  fc.record({ protocol: fc.constant('tcp' as const), ports: portRange, source }),
  fc.record({ protocol: fc.constant('udp' as const), ports: portRange, source }),
  fc.record({ protocol: fc.constant('icmp' as const), icmp: fc.record({ type: icmpType, code: icmpCode }), source }),
  fc.record({ protocol: fc.constant('icmp' as const), source }),
  fc.record({ protocol: fc.constant('all' as const), source }),
);
const groups = fc
  .array(fc.array(rule, { maxLength: 12 }), { maxLength: 4 })
  .map((lists) => lists.map((ingress, i) => group(`grp${i}`, ingress)));

const packet: fc.Arbitrary<IngressView> = fc.record({
  protocol: fc.constantFrom(TCP, UDP, ICMP),
  key: fc.oneof(
    edgePort,
    fc.tuple(fc.constantFrom(0, 3, 8, 11, 255), fc.integer({ min: 0, max: 255 })).map(([t, c]) => icmpKey(t, c)),
  ),
  source: address,
  privatePath: fc.boolean(),
  senderGroups: fc.option(fc.subarray(GROUP_NAMES), { nil: null }),
});

function expectedPacked(gs: readonly SecurityGroup[], v: IngressView): number {
  const a = admitLinear(gs, v);
  return a === null ? -1 : packedOf(a.groupPosition, a.ruleIndex);
}

/** The first group rule covering the traffic that names one of the sender's groups, by a scan of the rule objects. */
function firstSenderGroupRuleByScan(gs: readonly SecurityGroup[], v: IngressView): number {
  for (let g = 0; g < gs.length; g++) {
    const rules = gs[g].ingress;
    for (let r = 0; r < rules.length; r++) {
      const src = rules[r].source;
      if (src.kind === 'group' && v.senderGroups!.includes(src.group) && coversTraffic(rules[r], v.protocol, v.key)) return packedOf(g, r);
    }
  }
  return -1;
}

describe('CompiledReceiver agrees with admitLinear (property)', () => {
  it('for random groups and random packets: the same (group position, rule index)', () => {
    fc.assert(
      fc.property(groups, fc.array(packet, { minLength: 1, maxLength: 20 }), (gs, packets) => {
        const receiver = compile(gs);
        for (const v of packets) expect(admitReceiver(receiver, v)).toBe(expectedPacked(gs, v));
      }),
      { numRuns: 1000 },
    );
  });

  it('the tiered Receiver (a scan of FlatRules; compiled after compileAfter packets when it has more than SCAN_RULES rules, or from the first with 0) and matchFlat give the answers of admitLinear', () => {
    // Up to 6 groups of up to 16 rules: some receivers above SCAN_RULES, some below.
    const someGroups = fc
      .array(fc.array(rule, { maxLength: 16 }), { maxLength: 6 })
      .map((lists) => lists.map((ingress, i) => group(`grp${i}`, ingress)));
    const compileAfter = 8;
    fc.assert(
      fc.property(someGroups, fc.array(packet, { minLength: compileAfter + 4, maxLength: compileAfter + 12 }), fc.boolean(), (gs, packets, fromFirst) => {
        const receiver = new Receiver(gs, fromFirst ? 0 : compileAfter);
        const flats = gs.map(FlatRules.of);
        const rules = gs.reduce((n, g) => n + g.ingress.length, 0);
        expect(receiver.rules).toBe(rules);
        packets.forEach((v, i) => {
          const sender = v.privatePath ? v.senderGroups : null;
          const want = expectedPacked(gs, v);
          expect(matchFlat(flats, v.protocol, v.key, v.source, sender)).toBe(want);
          expect(receiver.match(v.protocol, v.key, v.source, sender)).toBe(want);
          expect(receiver.isCompiled).toBe(fromFirst || (rules > Receiver.SCAN_RULES && i + 1 >= compileAfter));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('with packets derived from the rules themselves (edges from-1/from/to/to+1, CIDR edges)', () => {
    const derived = groups.chain((gs) => {
      const rules = gs.flatMap((g) => g.ingress);
      if (rules.length === 0) return fc.constant({ gs, packets: [] as IngressView[] });
      const fromRule = fc.tuple(fc.constantFrom(...rules), fc.integer({ min: 0, max: 7 }), fc.boolean(), fc.option(fc.subarray(GROUP_NAMES), { nil: null }))
        .map(([r, pick, privatePath, senderGroups]): IngressView => {
          const protocol = r.protocol === 'udp' ? UDP : r.protocol === 'icmp' ? ICMP : TCP;
          let key = 0;
          if (r.ports) key = [r.ports.from - 1, r.ports.from, r.ports.to, r.ports.to + 1][pick % 4];
          else if (r.icmp && r.icmp.type >= 0) key = icmpKey(r.icmp.type, r.icmp.code < 0 ? pick * 36 : r.icmp.code);
          key = Math.min(65535, Math.max(0, key));
          let src = 0x01020304;
          if (r.source.kind === 'cidr') {
            const { base, prefix } = r.source.cidr;
            const hostMax = prefix === 32 ? 0 : 2 ** (32 - prefix) - 1;
            const candidates = [base, base + hostMax, base - 1, base + hostMax + 1].map((x) => (x < 0 ? 0 : x > 0xffffffff ? 0xffffffff : x));
            src = candidates[pick % 4] >>> 0;
          }
          return { protocol, key, source: src, privatePath, senderGroups };
        });
      return fc.array(fromRule, { minLength: 1, maxLength: 20 }).map((packets) => ({ gs, packets }));
    });
    fc.assert(
      fc.property(derived, ({ gs, packets }) => {
        const receiver = compile(gs);
        const flats = gs.map(FlatRules.of);
        for (const v of packets) {
          expect(admitReceiver(receiver, v)).toBe(expectedPacked(gs, v));
          expect(matchFlat(flats, v.protocol, v.key, v.source, v.privatePath ? v.senderGroups : null)).toBe(expectedPacked(gs, v));
          if (v.senderGroups !== null) expect(firstSenderGroupRule(flats, v.protocol, v.key, v.senderGroups)).toBe(firstSenderGroupRuleByScan(gs, v));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('RuleArena: groups laid out one after another in one arena answer, in their receiver\'s order, as matchFlat and firstSenderGroupRule over the receiver, before and after the arena is cleared and laid out again', () => {
    // Several receivers' groups in one arena, so offsets other than 0 and group numbers shared
    // across groups are exercised; the referenced names are GROUP_NAMES, so group references
    // match and miss.
    const receivers = fc.array(
      fc.array(fc.array(rule, { maxLength: 8 }), { maxLength: 4 }).map((lists) => lists.map((ingress, i) => group(`grp${i}`, ingress))),
      { minLength: 1, maxLength: 5 },
    );
    const first = (at: readonly number[], answer: (at: number, g: number) => number): number => {
      for (let g = 0; g < at.length; g++) {
        const p = answer(at[g], g);
        if (p >= 0) return p;
      }
      return -1;
    };
    fc.assert(
      fc.property(receivers, fc.array(packet, { minLength: 1, maxLength: 12 }), (lists, packets) => {
        const arena = new RuleArena();
        const flatsOf = lists.map((gs) => gs.map(FlatRules.of));
        const check = (offsets: readonly (readonly number[])[]) => {
          lists.forEach((gs, r) => {
            const flats = flatsOf[r];
            const at = offsets[r];
            expect(at.map((o) => arena.count(o))).toEqual(flats.map((f) => f.count));
            for (const v of packets) {
              const sender = v.privatePath ? v.senderGroups : null;
              const got = first(at, (o, g) => arena.match(o, g, v.protocol, v.key, v.source, sender));
              expect(got).toBe(matchFlat(flats, v.protocol, v.key, v.source, sender));
              expect(got).toBe(expectedPacked(gs, v));
              const senderGroups = v.senderGroups;
              if (senderGroups !== null) {
                expect(first(at, (o, g) => arena.firstSenderGroupRule(o, g, v.protocol, v.key, senderGroups))).toBe(firstSenderGroupRuleByScan(gs, v));
              }
              // A sender of up to two groups, by their numbers (as the fabric keeps them in its
              // row, whose unused slots hold 0: the number of a group, so `count` must be heeded)
              if (senderGroups === null || senderGroups.length <= 2) {
                const n = senderGroups === null ? [] : senderGroups.map((k) => arena.numberOf(k));
                const numbered = (o: number, g: number) => arena.matchNumbered(o, g, v.protocol, v.key, v.source, v.privatePath ? n.length : 0, n[0] ?? 0, n[1] ?? 0);
                expect(first(at, numbered)).toBe(got);
                if (senderGroups !== null) {
                  expect(first(at, (o, g) => arena.firstSenderGroupRuleNumbered(o, g, v.protocol, v.key, n.length, n[0] ?? 0, n[1] ?? 0))).toBe(firstSenderGroupRuleByScan(gs, v));
                }
              }
            }
          });
        };
        const layout = () => flatsOf.map((flats) => flats.map((f) => arena.add(f)));
        check(layout());
        expect(arena.size).toBe(flatsOf.flat().reduce((n, f) => n + RuleArena.sizeOf(f), 0));
        arena.clear();
        expect(arena.size).toBe(0);
        // Laid out again in the other order: other offsets, the same answers.
        flatsOf.reverse();
        lists.reverse();
        check(layout());
      }),
      { numRuns: 500 },
    );
  });

  it('with large tries (100 to 4,000 CIDR rules, so lookups start from the table of the first 8 to 16 levels)', () => {
    // Rules clustered under a few /8s and /16s (so the trie is deep and dense where packets
    // go), prefixes of every length, mostly long; packets at and around the rules' edges.
    const big = fc
      .tuple(fc.constantFrom(100, 400, 1500, 4000), fc.integer({ min: 0, max: 2 ** 31 }))
      .map(([n, seed]) => {
        let x = seed | 1;
        const next = (): number => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          return x >>> 0;
        };
        const hubs = [0x0a000000, 0x0a630000, 0xac100000, next() & 0xff000000, next() & 0xffff0000];
        const rules: Rule[] = [];
        for (let i = 0; i < n; i++) {
          const r = next() % 100;
          const prefix = r < 3 ? next() % 8 : r < 20 ? 8 + (next() % 16) : 24 + (next() % 9);
          const base = ((hubs[next() % hubs.length] | (next() & 0x00ffffff)) & maskOf(prefix)) >>> 0;
          const from = next() % 1024;
          const ports = r % 2 === 0 ? { from, to: from } : { from, to: from + (next() % 2000) };
          rules.push({ protocol: next() % 3 === 0 ? 'udp' : 'tcp', ports, source: cidr(base, prefix) });
        }
        const half = Math.floor(n / 2);
        const gs = [group('big0', rules.slice(0, half)), group('big1', rules.slice(half))];
        const packets: IngressView[] = [];
        for (let i = 0; i < 300; i++) {
          const r = rules[next() % rules.length];
          const c = (r.source as { cidr: { base: number; prefix: number } }).cidr;
          const span = c.prefix === 32 ? 0 : 2 ** (32 - c.prefix) - 1;
          const src = [c.base, c.base + span, c.base - 1, c.base + span + 1, c.base + (next() % (span + 1)), next()][i % 6];
          const key = [r.ports!.from, r.ports!.to, r.ports!.from - 1, r.ports!.to + 1][(i >> 1) % 4];
          packets.push({ protocol: i % 3 === 0 ? UDP : TCP, key: Math.max(0, Math.min(65535, key)), source: Math.max(0, Math.min(0xffffffff, src)) >>> 0, privatePath: false, senderGroups: null });
        }
        return { gs, packets };
      });
    fc.assert(
      fc.property(big, ({ gs, packets }) => {
        const receiver = compile(gs);
        for (const v of packets) expect(admitReceiver(receiver, v)).toBe(expectedPacked(gs, v));
      }),
      { numRuns: 40 },
    );
  });

  it('the verdict (admitted or not) is independent of group and rule order', () => {
    fc.assert(
      fc.property(groups, packet, fc.infiniteStream(fc.nat()), (gs, v, rnd) => {
        const it = rnd[Symbol.iterator]();
        const shuffle = <T>(xs: readonly T[]): T[] => {
          const out = [...xs];
          for (let i = out.length - 1; i > 0; i--) {
            const j = it.next().value % (i + 1);
            [out[i], out[j]] = [out[j], out[i]];
          }
          return out;
        };
        const reordered = shuffle(gs).map((g) => ({ ...g, ingress: shuffle(g.ingress) }));
        expect(admitReceiver(compile(reordered), v) >= 0).toBe(admitReceiver(compile(gs), v) >= 0);
      }),
      { numRuns: 500 },
    );
  });

  it('adding a rule never removes an admission (monotonicity)', () => {
    fc.assert(
      fc.property(groups, rule, fc.nat(), packet, (gs, extra, at, v) => {
        if (gs.length === 0) return;
        const i = at % gs.length;
        const more = gs.map((g, j) => (j === i ? { ...g, ingress: [...g.ingress, extra] } : g));
        const before = admitReceiver(compile(gs), v);
        const after = admitReceiver(compile(more), v);
        // Still admitted; the rule named can only move to an earlier group (appended rules come last).
        if (before >= 0) {
          expect(after).toBeGreaterThanOrEqual(0);
          expect(after).toBeLessThanOrEqual(before);
        }
      }),
      { numRuns: 500 },
    );
  });
});

// ------------------------------------------------------------------------------------------
// Explanations

const ctx: DenialContext = { receiver: 'db', sender: 'app', destination: DEST };

/** A denial as JSON sees it (its message is a getter, written on first read). */
function asJson(d: unknown): unknown {
  return JSON.parse(JSON.stringify(d));
}

describe('explainDenial', () => {
  it('SG_HAS_NO_RULES when no group has a rule; the message names the groups and the packet', () => {
    const gs = [group('default/us-east-1', []), group('empty', [])];
    const d = explainDenial(gs, view({ key: 22 }), ctx);
    expect(asJson(d)).toEqual({
      code: 'SG_HAS_NO_RULES',
      blockers: [],
      message: "db's groups (default, empty) have no ingress rules, so nothing is admitted (tcp/22 from 1.2.3.4 to 10.0.0.5)",
    });
  });

  it('ENI_SG_RULES_MISMATCH when rules exist but none matches; near miss named', () => {
    const gs = [
      group('web', [{ protocol: 'tcp', ports: { from: 22, to: 22 }, source: cidr(0x05060708, 32), description: 'ops' }]),
      group('empty', []),
    ];
    const d = explainDenial(gs, view({ key: 22 }), ctx);
    expect(asJson(d)).toEqual({
      code: 'ENI_SG_RULES_MISMATCH',
      blockers: [],
      message:
        'no rule of db\'s groups (web, empty) admits tcp/22 from 1.2.3.4 to 10.0.0.5; closest: group web admits tcp/22 from 5.6.7.8/32 ("ops")',
    });
  });

  it('a denial reads as a plain explanation: JSON in the order code, message, blockers; the same message every read; addresses of every range', () => {
    const gs = [group('web', [])];
    // 192.0.2.200 and 255.255.255.254 do not fit a 31-bit integer: they are kept packed.
    const d = explainDenial(gs, view({ key: 443, source: 0xc00002c8 }), { ...ctx, destination: 0xfffffffe });
    expect(JSON.stringify(d)).toBe(
      `{"code":"SG_HAS_NO_RULES","message":"db's groups (web) have no ingress rules, so nothing is admitted (tcp/443 from 192.0.2.200 to 255.255.255.254)","blockers":[]}`,
    );
    expect(d.message).toBe(d.message);
    expect(Object.keys(d)).toEqual(['code', 'blockers']);
  });

  it('an admission (RuleAdmission) reads as a plain explanation: its message names the group and the rule; JSON in the order code, group, rule, message', () => {
    const r: Rule = { protocol: 'tcp', ports: { from: 443, to: 443 }, source: cidr(0x05060708, 32), description: 'ops' };
    const a = new RuleAdmission('web', r);
    expect(a.message).toBe('admitted by group web: tcp/443 from 5.6.7.8/32 ("ops")');
    expect(a.message).toBe(a.message);
    expect(Object.keys(JSON.parse(JSON.stringify(a)))).toEqual(['code', 'group', 'rule', 'message']);
    expect(JSON.parse(JSON.stringify(a))).toMatchObject({ code: 'ALLOWED_BY_RULE', group: 'web', message: a.message });
  });

  it('ENI_SG_RULES_MISMATCH with no near miss names the port (udp) or icmp', () => {
    const gs = [group('web', [{ protocol: 'tcp', ports: { from: 80, to: 80 }, source: ANY }])];
    expect(explainDenial(gs, view({ protocol: UDP, key: 53 }), ctx).message).toBe(
      "no rule of db's groups (web) admits udp/53 from 1.2.3.4 to 10.0.0.5; no rule covers udp port 53",
    );
    expect(explainDenial(gs, view({ protocol: ICMP, key: icmpKey(8, 0) }), ctx).message).toBe(
      "no rule of db's groups (web) admits icmp 8:0 from 1.2.3.4 to 10.0.0.5; no rule covers this icmp type",
    );
  });

  it('SG_REFERENCES_NOT_PRESERVED is primary when a group rule would match on the private path', () => {
    const gs = [group('A', [{ protocol: 'tcp', ports: { from: 3306, to: 3306 }, source: { kind: 'group', group: 'B' } }])];
    const v = view({ key: 3306, source: 0x36000001, privatePath: false, senderGroups: ['B'] });
    const d = explainDenial(gs, v, ctx);
    expect(d.code).toBe('SG_REFERENCES_NOT_PRESERVED');
    expect(d.blockers).toEqual(['ENI_SG_RULES_MISMATCH']);
    expect(d.message).toBe(
      "group A admits tcp/3306 from group B, but app's packet came over the public path (tcp/3306 from 54.0.0.1 to 10.0.0.5), where NAT drops group identity; use db's private address",
    );
  });

  it('no SG_REFERENCES_NOT_PRESERVED when the sender is not in the group, or the port differs, or no sender groups', () => {
    const gs = [group('A', [{ protocol: 'tcp', ports: { from: 3306, to: 3306 }, source: { kind: 'group', group: 'B' } }])];
    for (const v of [
      view({ key: 3306, privatePath: false, senderGroups: ['C'] }),
      view({ key: 22, privatePath: false, senderGroups: ['B'] }),
      view({ key: 3306, privatePath: false, senderGroups: null }),
    ]) {
      const d = explainDenial(gs, v, ctx);
      expect(d.code).toBe('ENI_SG_RULES_MISMATCH');
      expect(d.blockers).toEqual([]);
    }
  });

  it('the default group self-reference over a public path: group named "default"', () => {
    const gs = [group('default/us-east-1', [{ protocol: 'all', source: { kind: 'group', group: 'default/us-east-1' } }])];
    const d = explainDenial(gs, view({ privatePath: false, senderGroups: ['default/us-east-1'] }), ctx);
    expect(d.code).toBe('SG_REFERENCES_NOT_PRESERVED');
    expect(d.message.startsWith('group default admits all traffic from group default, but app')).toBe(true);
  });

  it('SIM_PROPAGATION_PENDING is primary when given, the rest follow', () => {
    const gs = [group('web', [{ protocol: 'tcp', ports: { from: 80, to: 80 }, source: ANY }])];
    const d = explainDenial(gs, view({ key: 22 }), { ...ctx, pendingWouldAdmit: { group: 'web', effectiveAtNs: 2_500_000_000 } });
    expect(d.code).toBe('SIM_PROPAGATION_PENDING');
    expect(d.blockers).toEqual(['ENI_SG_RULES_MISMATCH']);
    expect(d.message).toBe(
      'a rule change to group web that would admit tcp/22 from 1.2.3.4 to 10.0.0.5 is still propagating (in force at 2.5s)',
    );
  });

  it('SIM_CONNTRACK_EXPIRED is primary when given (no pending change)', () => {
    const gs = [group('web', []), group('default/us-east-1', [])];
    const d = explainDenial(gs, view({ key: 22 }), { ...ctx, conntrackExpired: { idleNs: 31e9, timeoutNs: 30e9 } });
    expect(asJson(d)).toEqual({
      code: 'SIM_CONNTRACK_EXPIRED',
      blockers: ['SG_HAS_NO_RULES'],
      message:
        "the tracked connection idled out (31s idle, timeout 30s) and no rule of db's groups (web, default) admits tcp/22 from 1.2.3.4 to 10.0.0.5 anew",
    });
  });

  it('every cause listed, primary first: pending, expired, references, mismatch', () => {
    const gs = [group('A', [{ protocol: 'all', source: { kind: 'group', group: 'B' } }])];
    const d = explainDenial(gs, view({ privatePath: false, senderGroups: ['B'] }), {
      ...ctx,
      pendingWouldAdmit: { group: 'A', effectiveAtNs: 1e9 },
      conntrackExpired: { idleNs: 200e9, timeoutNs: 120e9 },
    });
    expect(d.code).toBe('SIM_PROPAGATION_PENDING');
    expect(d.blockers).toEqual(['SIM_CONNTRACK_EXPIRED', 'SG_REFERENCES_NOT_PRESERVED', 'ENI_SG_RULES_MISMATCH']);
  });

  it('a denial made with a HostDirectory (a settled world) reads its hosts only when its message is written, and says what one made with them would', () => {
    const gs = [
      group('web', [
        { protocol: 'tcp', ports: { from: 22, to: 22 }, source: cidr(0x05060708, 32), description: 'ops' },
        { protocol: 'tcp', ports: { from: 22, to: 22 }, source: { kind: 'group', group: 'B' } },
      ]),
    ];
    const reads: string[] = [];
    const directory: HostDirectory = {
      nameOf: (id) => (reads.push(`name ${id}`), id === 7 ? 'db' : 'app'),
      groupsAt: (id) => (reads.push(`groups ${id}`), gs),
      senderGroupsOf: (id) => (reads.push(`sender groups ${id}`), ['B']),
    };
    for (const privatePath of [false, true]) {
      const v = view({ key: 22, privatePath, senderGroups: ['B'] });
      const flats = gs.map(FlatRules.of);
      const lost = privatePath ? -1 : firstSenderGroupRule(flats, TCP, 22, ['B']);
      reads.length = 0;
      // (senderGroups undefined: the directory's)
      const d = new PacketDenial(directory, true, lost, TCP, 22, ADMIN, privatePath, undefined, 7, 9, DEST, null, null);
      expect(reads).toEqual(privatePath ? [] : ['groups 7']); // a lost rule is found at once (its group named in the codes)
      const plain = explainDenial(gs, v, { ...ctx, sender: 'app' });
      expect(asJson(d)).toEqual(asJson(plain));
      expect(reads).toContain('sender groups 9');
      expect(d.code).toBe(privatePath ? 'ENI_SG_RULES_MISMATCH' : 'SG_REFERENCES_NOT_PRESERVED');
      // settledDenial: the same denial as a literal (what the fabric makes), read as lazily
      reads.length = 0;
      const settled = settledDenial(directory, true, lost, TCP, 22, ADMIN, privatePath, undefined, 7, 9, DEST);
      expect(reads).toEqual([]); // the lost rule's group is found when the message is written
      expect([settled.code, settled.blockers]).toEqual([d.code, d.blockers]);
      expect(asJson(settled)).toEqual(asJson(plain));
      expect(settled.message).toBe(settled.message);
    }
    // no rules at all; a receiver with rules, none lost
    for (const hasRules of [false, true]) {
      const settled = settledDenial(directory, hasRules, -1, UDP, 53, ADMIN, false, null, 7, 9, DEST);
      const made = new PacketDenial(directory, hasRules, -1, UDP, 53, ADMIN, false, null, 7, 9, DEST, null, null);
      expect(asJson(settled)).toEqual(asJson(made));
      expect(settled.code).toBe(hasRules ? 'ENI_SG_RULES_MISMATCH' : 'SG_HAS_NO_RULES');
    }
  });

  it('settledDenial writes the message of the path it was made for (a group rule lost on the public path, covering the sender on the private one)', () => {
    const gs = [
      group('web', [
        { protocol: 'tcp', ports: { from: 22, to: 22 }, source: { kind: 'group', group: 'B' } },
        { protocol: 'tcp', ports: { from: 22, to: 22 }, source: cidr(0x05060708, 32), description: 'ops' },
      ]),
    ];
    const directory: HostDirectory = { nameOf: (id) => (id === 7 ? 'db' : 'app'), groupsAt: () => gs, senderGroupsOf: () => ['B'] };
    const messages = [false, true].map((privatePath) => {
      const lost = privatePath ? -1 : firstSenderGroupRule(gs.map(FlatRules.of), TCP, 22, ['B']);
      const settled = settledDenial(directory, true, lost, TCP, 22, ADMIN, privatePath, undefined, 7, 9, DEST);
      const plain = explainDenial(gs, view({ key: 22, privatePath, senderGroups: ['B'] }), { ...ctx, sender: 'app' });
      expect(asJson(settled)).toEqual(asJson(plain));
      return settled.message;
    });
    // the public path lost the group rule; on the private path it covers the sender, so the closest is the CIDR rule
    expect(messages[0]).toContain('came over the public path');
    expect(messages[1]).toContain('closest: group web admits tcp/22 from 5.6.7.8/32');
  });

  it('RuleArena: the numbered scans read the group at its offset (a group laid out after another)', () => {
    const arena = new RuleArena();
    const first = arena.add(FlatRules.of(group('X', [{ protocol: 'udp', ports: { from: 53, to: 53 }, source: ANY }])));
    const second = arena.add(FlatRules.of(group('Y', [{ protocol: 'tcp', ports: { from: 22, to: 22 }, source: { kind: 'group', group: 'B' } }])));
    expect(second).toBeGreaterThan(first);
    const b = arena.numberOf('B');
    const other = arena.numberOf('C');
    expect(arena.matchNumbered(second, 1, TCP, 22, ADMIN, 1, b, 0)).toBe(packedOf(1, 0));
    expect(arena.matchNumbered(second, 1, TCP, 22, ADMIN, 1, other, b)).toBe(-1); // count 1: the second slot is not a group
    expect(arena.matchNumbered(second, 1, TCP, 22, ADMIN, 2, other, b)).toBe(packedOf(1, 0));
    expect(arena.firstSenderGroupRuleNumbered(second, 1, TCP, 22, 1, b, 0)).toBe(packedOf(1, 0));
    expect(arena.firstSenderGroupRuleNumbered(second, 1, UDP, 53, 1, b, 0)).toBe(-1);
    expect(arena.matchNumbered(first, 0, UDP, 53, ADMIN, 0, 0, 0)).toBe(packedOf(0, 0));
  });

  it('a RuleAdmission made with a HostDirectory (a settled world) finds its group and rule when first read, as admissionOf would', () => {
    const gs = [group('web', []), group('db', [{ protocol: 'tcp', ports: { from: 5432, to: 5432 }, source: { kind: 'group', group: 'web' } }])];
    const reads: number[] = [];
    const directory: HostDirectory = {
      nameOf: () => 'db1',
      groupsAt: (id) => (reads.push(id), gs),
      senderGroupsOf: () => null,
    };
    const lazy = new RuleAdmission(null, null, directory, 3, packedOf(1, 0));
    expect(reads).toEqual([]);
    const eager = new RuleAdmission('db', gs[1].ingress[0]);
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
    expect([lazy.group, lazy.rule, lazy.message]).toEqual([eager.group, eager.rule, eager.message]);
    expect(reads).toEqual([3]); // once
  });

  it('null pending / expired are ignored', () => {
    const d = explainDenial([group('web', [])], view(), { ...ctx, pendingWouldAdmit: null, conntrackExpired: null });
    expect(d.code).toBe('SG_HAS_NO_RULES');
  });
});

describe('describe helpers', () => {
  it('describeTraffic', () => {
    expect(describeTraffic(TCP, 443)).toBe('tcp/443');
    expect(describeTraffic(UDP, 53)).toBe('udp/53');
    expect(describeTraffic(ICMP, icmpKey(3, 4))).toBe('icmp 3:4');
  });

  it('describeRule', () => {
    expect(describeRule({ protocol: 'tcp', ports: { from: 8000, to: 8080 }, source: cidr(0x0a000000, 8) })).toBe(
      'tcp/8000-8080 from 10.0.0.0/8',
    );
    expect(describeRule({ protocol: 'icmp', source: ANY })).toBe('icmp -1:-1 from 0.0.0.0/0');
    expect(describeRule({ protocol: 'all', source: { kind: 'group', group: 'default/eu-west-1' }, description: 'self' })).toBe(
      'all traffic from group default ("self")',
    );
  });

  it('formatSeconds picks s, ms or us', () => {
    expect(formatSeconds(0)).toBe('0s');
    expect(formatSeconds(432_000e9)).toBe('432000s');
    expect(formatSeconds(1e9)).toBe('1s');
    expect(formatSeconds(1_500_000)).toBe('1.5ms');
    expect(formatSeconds(250_000)).toBe('250us');
  });
});
