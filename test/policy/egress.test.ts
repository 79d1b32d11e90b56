/**
 * test/policy/egress: a VPC ENI's security groups, egress and ingress (domain-vpc.md §5): the
 * union over groups (any rule of any group admits; order never changes the verdict), the
 * canonical admitting rule (first group in the ENI's order with a match, its first matching
 * rule), CIDR, prefix-list and group peers (a group reference only while identity is preserved;
 * a stale one never), a new group's egress all, `egress: []` denying all outbound with
 * SG_HAS_NO_RULES, and when a TCP/UDP flow is untracked.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { admitVpcGroups, describeVpcRule, evaluateEgress, evaluateVpcGroups, evaluateVpcIngress, untrackedAt } from '../../src/policy/egress.ts';
import type { GroupView } from '../../src/policy/vpc-match.ts';
import { ALLOW_ALL_EGRESS, defaultVpcGroup, type Direction, type VpcRule, type VpcSecurityGroup } from '../../src/model/vpc/types.ts';
import { cidr, ip } from '../model/vpc/fixtures.ts';

const S3 = { id: 'pl-s3', cidrs: [cidr('52.216.0.0/15'), cidr('3.5.0.0/19')] };
const view = (extra: Partial<GroupView> = {}): GroupView => ({
  protocol: 6,
  key: 443,
  peer: ip('10.0.2.30'),
  identityPreserved: true,
  peerGroups: ['db'],
  prefixLists: { 'pl-s3': S3 },
  ...extra,
});
const group = (key: string, ingress: VpcRule[], egress: VpcRule[] = [ALLOW_ALL_EGRESS]): VpcSecurityGroup => ({ key, name: key, vpc: 'app', ingress, egress });
const tcpTo = (port: number, peer: VpcRule['peer']): VpcRule => ({ protocol: 'tcp', ports: { from: port, to: port }, peer });

describe('security group egress', () => {
  it('a new group allows all egress; the default group too', () => {
    expect(evaluateEgress([group('web', [])], view({ peer: ip('8.8.8.8'), key: 53, protocol: 17 })).allowed).toBe(true);
    const d = evaluateEgress([defaultVpcGroup('app')], view());
    expect(d.allowed && d.admission.rule).toBe(ALLOW_ALL_EGRESS);
  });

  it('a group with no egress rules denies all outbound: SG_HAS_NO_RULES', () => {
    const d = evaluateEgress([group('db', [], [])], view());
    expect(d).toMatchObject({ allowed: false, direction: 'egress', code: 'SG_HAS_NO_RULES', blockers: [] });
  });

  it('egress rules match the destination: CIDR, prefix list', () => {
    const g = group('web', [], [tcpTo(443, { kind: 'cidr', cidr: cidr('10.0.2.0/24') }), tcpTo(443, { kind: 'prefixList', prefixList: 'pl-s3' })]);
    expect(evaluateEgress([g], view({ peer: ip('10.0.2.9') }))).toMatchObject({ allowed: true, admission: { ruleIndex: 0 } });
    expect(evaluateEgress([g], view({ peer: ip('52.217.1.1'), peerGroups: null }))).toMatchObject({ allowed: true, admission: { ruleIndex: 1 } });
    expect(evaluateEgress([g], view({ peer: ip('8.8.8.8'), peerGroups: null }))).toMatchObject({ allowed: false, code: 'ENI_SG_RULES_MISMATCH' });
    expect(evaluateEgress([g], view({ peer: ip('10.0.2.9'), key: 80 }))).toMatchObject({ allowed: false, code: 'ENI_SG_RULES_MISMATCH' });
  });

  it('an unknown prefix list matches nothing', () => {
    const g = group('web', [], [tcpTo(443, { kind: 'prefixList', prefixList: 'pl-gone' })]);
    expect(evaluateEgress([g], view({ peer: ip('52.217.1.1') })).allowed).toBe(false);
  });

  it('a group destination matches only while identity is preserved; else SG_REFERENCES_NOT_PRESERVED, with the rule it lost', () => {
    const rule = tcpTo(5432, { kind: 'group', group: 'db' });
    const g = group('web', [], [rule]);
    expect(evaluateEgress([g], view({ key: 5432 })).allowed).toBe(true);
    const lost = evaluateEgress([g], view({ key: 5432, identityPreserved: false }));
    expect(lost).toMatchObject({ allowed: false, code: 'SG_REFERENCES_NOT_PRESERVED', blockers: ['ENI_SG_RULES_MISMATCH'], lost: { group: g, rule } });
    expect(evaluateEgress([g], view({ key: 5432, peerGroups: ['web'] }))).toMatchObject({ allowed: false, code: 'ENI_SG_RULES_MISMATCH' });
  });

  it('a stale group reference matches nothing, even with identity', () => {
    const g = group('web', [], [tcpTo(5432, { kind: 'group', group: 'db', stale: true })]);
    expect(evaluateEgress([g], view({ key: 5432 }))).toMatchObject({ allowed: false, code: 'ENI_SG_RULES_MISMATCH' });
  });

  it('names the first group in the ENI order with a match, and its first matching rule', () => {
    const a = group('a', [], [tcpTo(22, { kind: 'cidr', cidr: cidr('0.0.0.0/0') })]);
    const b = group('b', [], [tcpTo(80, { kind: 'cidr', cidr: cidr('0.0.0.0/0') }), { protocol: 'all', peer: { kind: 'cidr', cidr: cidr('10.0.0.0/8') } }, tcpTo(443, { kind: 'cidr', cidr: cidr('10.0.0.0/8') })]);
    const c = group('c', [], [ALLOW_ALL_EGRESS]);
    expect(evaluateEgress([a, b, c], view())).toMatchObject({ allowed: true, admission: { groupPosition: 1, ruleIndex: 1 } });
    expect(evaluateEgress([c, b], view())).toMatchObject({ allowed: true, admission: { groupPosition: 0, ruleIndex: 0 } });
  });

  it('ingress reads the source the same way, with prefix-list sources', () => {
    const g = group('web', [{ protocol: 'tcp', ports: { from: 443, to: 443 }, peer: { kind: 'prefixList', prefixList: 'pl-s3' } }]);
    expect(evaluateVpcIngress([g], view({ peer: ip('3.5.1.1') })).allowed).toBe(true);
    expect(evaluateVpcIngress([g], view({ peer: ip('3.6.1.1') })).allowed).toBe(false);
    expect(evaluateVpcIngress([group('empty', [])], view())).toMatchObject({ code: 'SG_HAS_NO_RULES', direction: 'ingress' });
  });

  it('numbered protocols match that protocol only, ports ignored', () => {
    const g = group('vpn', [], [{ protocol: 50, ports: { from: 9, to: 9 }, peer: { kind: 'cidr', cidr: cidr('0.0.0.0/0') } }]);
    expect(evaluateEgress([g], view({ protocol: 50, key: 0 })).allowed).toBe(true);
    expect(evaluateEgress([g], view({ protocol: 6, key: 9 })).allowed).toBe(false);
  });

  it('describes rules in the direction they face', () => {
    expect(describeVpcRule(tcpTo(443, { kind: 'cidr', cidr: cidr('0.0.0.0/0') }), 'egress')).toBe('tcp/443 to 0.0.0.0/0');
    expect(describeVpcRule({ protocol: 'all', peer: { kind: 'group', group: 'web' } }, 'ingress')).toBe('all traffic from group web');
  });
});

describe('untracked flows (§5, "Security group connection tracking")', () => {
  const open = (dir: 'in' | 'out', protocol: VpcRule['protocol'] = 'tcp', ports = { from: 0, to: 65535 }): VpcRule => ({ protocol, ...(protocol === 'tcp' || protocol === 'udp' ? { ports } : {}), peer: { kind: 'cidr', cidr: cidr('0.0.0.0/0') } });
  it('a 0.0.0.0/0 rule with a 0.0.0.0/0 all-ports rule the other way: untracked', () => {
    const g = group('web', [open('in', 'tcp', { from: 443, to: 443 })], [open('out')]);
    expect(untrackedAt([g], 'ingress', view({ key: 443 }))).toBe(true);
  });
  it('the most permissive rule applies even if a narrower one also matches', () => {
    const g = group('web', [tcpTo(443, { kind: 'cidr', cidr: cidr('10.0.0.0/8') }), open('in', 'tcp', { from: 443, to: 443 })], [ALLOW_ALL_EGRESS]);
    expect(untrackedAt([g], 'ingress', view({ key: 443 }))).toBe(true);
  });
  it('tracked when the other way is narrower, when only a narrow rule admits, and always for ICMP', () => {
    expect(untrackedAt([group('w', [open('in', 'tcp', { from: 443, to: 443 })], [open('out', 'tcp', { from: 1024, to: 65535 })])], 'ingress', view({ key: 443 }))).toBe(false);
    expect(untrackedAt([group('w', [tcpTo(443, { kind: 'cidr', cidr: cidr('10.0.0.0/8') })], [ALLOW_ALL_EGRESS])], 'ingress', view({ key: 443 }))).toBe(false);
    expect(untrackedAt([group('w', [{ protocol: 'all', peer: { kind: 'cidr', cidr: cidr('0.0.0.0/0') } }], [ALLOW_ALL_EGRESS])], 'ingress', view({ protocol: 1, key: 0x800 }))).toBe(false);
  });
});

// Properties: union and order independence.
const arbPeer = fc.oneof(
  fc.constantFrom(cidr('0.0.0.0/0'), cidr('10.0.0.0/8'), cidr('10.0.2.0/24'), cidr('192.0.2.0/24')).map((c): VpcRule['peer'] => ({ kind: 'cidr', cidr: c })),
  fc.constantFrom('db', 'web').map((g): VpcRule['peer'] => ({ kind: 'group', group: g })),
  fc.constant<VpcRule['peer']>({ kind: 'prefixList', prefixList: 'pl-s3' }),
);
const arbRule: fc.Arbitrary<VpcRule> = fc.record({ protocol: fc.constantFrom<VpcRule['protocol']>('tcp', 'udp', 'all'), from: fc.integer({ min: 0, max: 600 }), span: fc.integer({ min: 0, max: 200 }), peer: arbPeer }).map((r) =>
  r.protocol === 'all' ? { protocol: 'all', peer: r.peer } : { protocol: r.protocol, ports: { from: r.from, to: r.from + r.span }, peer: r.peer },
);
const arbGroups = fc.array(fc.tuple(fc.array(arbRule, { maxLength: 4 }), fc.array(arbRule, { maxLength: 4 })), { minLength: 1, maxLength: 4 }).map((gs) => gs.map(([i, e], n) => group(`g${n}`, i, e)));
const arbView = fc.record({
  protocol: fc.constantFrom(6, 17),
  key: fc.integer({ min: 0, max: 800 }),
  peer: fc.constantFrom(ip('10.0.2.30'), ip('10.9.9.9'), ip('192.0.2.5'), ip('52.216.3.3')),
  identityPreserved: fc.boolean(),
  peerGroups: fc.constantFrom<readonly string[] | null>(null, ['db'], ['web', 'db'], []),
}).map((v): GroupView => ({ ...v, prefixLists: { 'pl-s3': S3 } }));
const arbDirection = fc.constantFrom<Direction>('ingress', 'egress');

describe('security group properties (§12 invariant 4; domain.md §2)', () => {
  it('the verdict is the union: admitted iff some group alone admits', () => {
    fc.assert(
      fc.property(arbGroups, arbView, arbDirection, (groups, v, d) => {
        expect(evaluateVpcGroups(groups, d, v).allowed).toBe(groups.some((g) => admitVpcGroups([g], d, v) !== null));
      }),
    );
  });

  it('neither the order of groups nor of rules changes the verdict or the denial code', () => {
    const shuffledCopy = arbGroups.chain((gs) =>
      fc.tuple(
        fc.constant(gs),
        fc.shuffledSubarray(gs, { minLength: gs.length, maxLength: gs.length }).map((order) => order.map((g) => ({ ...g, ingress: [...g.ingress].reverse(), egress: [...g.egress].reverse() }))),
      ),
    );
    fc.assert(
      fc.property(shuffledCopy, arbView, arbDirection, ([groups, shuffled], v, d) => {
        const a = evaluateVpcGroups(groups, d, v);
        const b = evaluateVpcGroups(shuffled, d, v);
        expect(b.allowed).toBe(a.allowed);
        if (!a.allowed && !b.allowed) expect(b.code).toBe(a.code);
      }),
    );
  });

  it('the named rule admits the packet, and no earlier group has a matching rule', () => {
    fc.assert(
      fc.property(arbGroups, arbView, arbDirection, (groups, v, d) => {
        const r = evaluateVpcGroups(groups, d, v);
        if (!r.allowed) return;
        const { groupPosition, ruleIndex } = r.admission;
        expect(admitVpcGroups([groups[groupPosition]], d, v)?.ruleIndex).toBe(ruleIndex);
        for (let g = 0; g < groupPosition; g++) expect(admitVpcGroups([groups[g]], d, v)).toBeNull();
      }),
    );
  });

  it('losing identity never admits more', () => {
    fc.assert(
      fc.property(arbGroups, arbView, arbDirection, (groups, v, d) => {
        if (evaluateVpcGroups(groups, d, { ...v, identityPreserved: false }).allowed) expect(evaluateVpcGroups(groups, d, { ...v, identityPreserved: true }).allowed).toBe(true);
      }),
    );
  });
});

describe('denial codes and rule matching, edge by edge', () => {
  it('SG_HAS_NO_RULES only when no group has a rule that way: one group with rules makes it a mismatch', () => {
    const d = evaluateEgress([group('empty', [], []), group('narrow', [], [tcpTo(22, { kind: 'cidr', cidr: cidr('10.0.0.0/8') })])], view({ peer: ip('8.8.8.8') }));
    expect(d).toMatchObject({ allowed: false, code: 'ENI_SG_RULES_MISMATCH' });
  });
  it('identity lost: a group rule for other traffic is no lost rule', () => {
    const g = group('web', [], [tcpTo(5432, { kind: 'group', group: 'db' })]);
    expect(evaluateEgress([g], view({ key: 22, identityPreserved: false }))).toMatchObject({ code: 'ENI_SG_RULES_MISMATCH', lost: null });
  });
  it('udp rules match udp only, by port; icmp rules icmp only, by type and code', () => {
    const udp = group('dns', [], [{ protocol: 'udp', ports: { from: 53, to: 53 }, peer: { kind: 'cidr', cidr: cidr('0.0.0.0/0') } }]);
    expect(evaluateEgress([udp], view({ protocol: 17, key: 53 })).allowed).toBe(true);
    expect(evaluateEgress([udp], view({ protocol: 6, key: 53 })).allowed).toBe(false);
    const echo = group('ping', [], [{ protocol: 'icmp', icmp: { type: 8, code: 0 }, peer: { kind: 'cidr', cidr: cidr('0.0.0.0/0') } }]);
    expect(evaluateEgress([echo], view({ protocol: 1, key: 0x0800 })).allowed).toBe(true);
    expect(evaluateEgress([echo], view({ protocol: 1, key: 0x0801 })).allowed).toBe(false);
    expect(evaluateEgress([echo], view({ protocol: 6, key: 0x0800 })).allowed).toBe(false);
    const anyIcmp = group('icmp', [], [{ protocol: 'icmp', peer: { kind: 'cidr', cidr: cidr('0.0.0.0/0') } }]);
    expect(evaluateEgress([anyIcmp], view({ protocol: 1, key: 0x0304 })).allowed).toBe(true);
    expect(evaluateEgress([anyIcmp], view({ protocol: 17, key: 0x0304 })).allowed).toBe(false);
  });
  it('describes every kind of rule', () => {
    expect(describeVpcRule({ protocol: 'udp', ports: { from: 53, to: 53 }, peer: { kind: 'prefixList', prefixList: 'pl-1' } }, 'egress')).toBe('udp/53 to prefix list pl-1');
    expect(describeVpcRule({ protocol: 'tcp', peer: { kind: 'cidr', cidr: cidr('10.0.0.0/8') } }, 'ingress')).toBe('tcp/0-65535 from 10.0.0.0/8');
    expect(describeVpcRule({ protocol: 'icmp', icmp: { type: 8, code: -1 }, peer: { kind: 'group', group: 'g', stale: true } }, 'ingress')).toBe('icmp 8:-1 from group g (stale)');
    expect(describeVpcRule({ protocol: 'icmp', peer: { kind: 'group', group: 'g' } }, 'egress')).toBe('icmp -1:-1 to group g');
    expect(describeVpcRule({ protocol: 50, peer: { kind: 'cidr', cidr: cidr('0.0.0.0/0') }, description: 'esp' }, 'egress')).toBe('protocol 50 to 0.0.0.0/0 ("esp")');
  });
});

describe('untracked flows, edge by edge', () => {
  const everywhere = { kind: 'cidr', cidr: cidr('0.0.0.0/0') } as const;
  const rule = (protocol: VpcRule['protocol'], ports?: { from: number; to: number }, peer: VpcRule['peer'] = everywhere): VpcRule => ({ protocol, ...(ports ? { ports } : {}), peer });
  const dns = view({ protocol: 17, key: 53 });
  it('UDP: untracked with an all-ports UDP rule the other way, tracked with only a TCP one', () => {
    expect(untrackedAt([group('d', [rule('udp', { from: 53, to: 53 })], [rule('udp', { from: 0, to: 65535 })])], 'ingress', dns)).toBe(true);
    expect(untrackedAt([group('d', [rule('udp', { from: 53, to: 53 })], [rule('tcp', { from: 0, to: 65535 })])], 'ingress', dns)).toBe(false);
  });
  it('an outbound flow reads egress first and ingress the other way', () => {
    const out = view({ key: 443, peer: ip('8.8.8.8') });
    expect(untrackedAt([group('c', [rule('all')], [rule('tcp', { from: 443, to: 443 })])], 'egress', out)).toBe(true);
    expect(untrackedAt([group('c', [], [rule('all')])], 'egress', out)).toBe(false);
    expect(untrackedAt([group('c', [rule('all')], [rule('tcp', { from: 443, to: 443 }, { kind: 'cidr', cidr: cidr('8.0.0.0/8') })])], 'egress', out)).toBe(false);
  });
  it('the other way must be all ports of the protocol (or all traffic), from everywhere', () => {
    const web = view({ key: 443 });
    const inbound = [rule('tcp', { from: 443, to: 443 })];
    expect(untrackedAt([group('w', inbound, [rule('tcp')])], 'ingress', web)).toBe(true);
    expect(untrackedAt([group('w', inbound, [rule('tcp', { from: 1, to: 65535 })])], 'ingress', web)).toBe(false);
    expect(untrackedAt([group('w', inbound, [rule('tcp', { from: 0, to: 65534 })])], 'ingress', web)).toBe(false);
    expect(untrackedAt([group('w', inbound, [rule('icmp')])], 'ingress', web)).toBe(false);
    expect(untrackedAt([group('w', inbound, [rule('all', undefined, { kind: 'cidr', cidr: cidr('0.0.0.0/1') })])], 'ingress', web)).toBe(false);
    expect(untrackedAt([group('w', inbound, [rule(50)])], 'ingress', web)).toBe(false);
  });
  it('the open rule may sit in another group of the ENI than the all-ports rule', () => {
    expect(untrackedAt([group('a', [rule('tcp', { from: 443, to: 443 })], []), group('b', [], [rule('all')])], 'ingress', view({ key: 443 }))).toBe(true);
    expect(untrackedAt([group('a', [], [rule('all')]), group('b', [rule('tcp', { from: 443, to: 443 })], [])], 'ingress', view({ key: 443 }))).toBe(true);
  });
});

describe('a new group (§12 inv. 12)', () => {
  it('admits nothing in and everything out, whatever the packet', () => {
    const fresh = group('new', []);
    fc.assert(
      fc.property(arbView, (v) => {
        expect(evaluateVpcIngress([fresh], v)).toMatchObject({ allowed: false, code: 'SG_HAS_NO_RULES' });
        expect(evaluateEgress([fresh], v)).toMatchObject({ allowed: true, admission: { rule: ALLOW_ALL_EGRESS } });
      }),
    );
  });
});
