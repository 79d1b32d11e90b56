/**
 * test/policy/nacl: a network ACL's verdict (domain-vpc.md §6): the lowest-numbered matching
 * entry decides, whatever the entries' order; no match is the `*` deny (32767); inbound entries
 * match the source, outbound the destination; protocol all / tcp / udp / icmp / numbers, ports
 * and ICMP type/code; the default NACL admits all, a new custom one denies all.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeNaclDecision, entriesInOrder, evaluateNacl, evaluateNaclEntries, naclEntryMatches, type NaclPacket } from '../../src/policy/nacl.ts';
import { DEFAULT_NACL_ENTRY, NACL_DEFAULT_RULE_NUMBER, type Direction, type NaclEntry, type NetworkAcl } from '../../src/model/vpc/types.ts';
import { icmpKey } from '../../src/net/protocol.ts';
import { cidr, ip } from '../model/vpc/fixtures.ts';

const tcp = (port: number, source = '10.0.1.5', destination = '10.0.2.30'): NaclPacket => ({ protocol: 6, key: port, source: ip(source), destination: ip(destination) });
const entry = (number: number, action: 'allow' | 'deny', extra: Partial<NaclEntry> = {}): NaclEntry => ({ number, action, protocol: 'all', cidr: cidr('0.0.0.0/0'), ...extra });
const acl = (ingress: NaclEntry[], egress: NaclEntry[] = []): NetworkAcl => ({ id: 'acl', vpc: 'app', isDefault: false, ingress, egress });

describe('network ACL entries', () => {
  it('the default NACL admits everything by entry 100, both ways', () => {
    const def = acl([DEFAULT_NACL_ENTRY], [DEFAULT_NACL_ENTRY]);
    for (const d of ['ingress', 'egress'] as Direction[]) {
      expect(evaluateNacl(def, d, tcp(22))).toEqual({ action: 'allow', number: 100, entry: DEFAULT_NACL_ENTRY });
    }
  });

  it('a new custom NACL denies all with the * entry (32767), naming no entry', () => {
    const d = evaluateNacl(acl([]), 'ingress', tcp(443));
    expect(d).toEqual({ action: 'deny', number: NACL_DEFAULT_RULE_NUMBER, entry: null });
    expect(describeNaclDecision(d)).toContain('*');
  });

  it('a deny numbered before an allow wins, even when listed after it', () => {
    const entries = [entry(200, 'allow'), entry(100, 'deny', { protocol: 'tcp', ports: { from: 22, to: 22 } })];
    expect(evaluateNaclEntries(entries, 'ingress', tcp(22))).toMatchObject({ action: 'deny', number: 100 });
    expect(evaluateNaclEntries(entries, 'ingress', tcp(80))).toMatchObject({ action: 'allow', number: 200 });
  });

  it('inbound entries match the source address, outbound the destination', () => {
    const e = entry(100, 'allow', { cidr: cidr('10.0.1.0/24') });
    expect(naclEntryMatches(e, 'ingress', tcp(5432, '10.0.1.5', '10.0.2.30'))).toBe(true);
    expect(naclEntryMatches(e, 'egress', tcp(5432, '10.0.1.5', '10.0.2.30'))).toBe(false);
    expect(naclEntryMatches(e, 'egress', tcp(5432, '10.0.2.30', '10.0.1.5'))).toBe(true);
  });

  it('tcp entries match tcp destination ports in range, not udp', () => {
    const e = entry(100, 'allow', { protocol: 'tcp', ports: { from: 32768, to: 60999 } });
    expect(naclEntryMatches(e, 'ingress', tcp(32768))).toBe(true);
    expect(naclEntryMatches(e, 'ingress', tcp(60999))).toBe(true);
    expect(naclEntryMatches(e, 'ingress', tcp(61000))).toBe(false);
    expect(naclEntryMatches(e, 'ingress', { ...tcp(40000), protocol: 17 })).toBe(false);
  });

  it('icmp entries match by type and code, -1 meaning any', () => {
    const echo = entry(100, 'allow', { protocol: 'icmp', icmp: { type: 8, code: -1 } });
    const pkt = (type: number, code: number): NaclPacket => ({ protocol: 1, key: icmpKey(type, code), source: ip('1.2.3.4'), destination: ip('10.0.0.5') });
    expect(naclEntryMatches(echo, 'ingress', pkt(8, 0))).toBe(true);
    expect(naclEntryMatches(echo, 'ingress', pkt(0, 0))).toBe(false);
    expect(naclEntryMatches(entry(1, 'allow', { protocol: 'icmp' }), 'ingress', pkt(3, 4))).toBe(true);
  });

  it('a numbered protocol matches only that protocol, and ports play no part', () => {
    const esp = entry(100, 'allow', { protocol: 50, ports: { from: 1, to: 1 } });
    expect(naclEntryMatches(esp, 'ingress', { ...tcp(0), protocol: 50 })).toBe(true);
    expect(naclEntryMatches(esp, 'ingress', tcp(1))).toBe(false);
    expect(naclEntryMatches(entry(1, 'allow', { protocol: 6 }), 'ingress', tcp(80))).toBe(true);
  });
});

const arbEntryBody = fc.record({
  action: fc.constantFrom<'allow' | 'deny'>('allow', 'deny'),
  protocol: fc.constantFrom<NaclEntry['protocol']>('all', 'tcp', 'udp'),
  from: fc.integer({ min: 0, max: 100 }),
  span: fc.integer({ min: 0, max: 50 }),
  prefix: fc.integer({ min: 0, max: 2 }),
});
/** Entries with distinct numbers; CIDRs among 0.0.0.0/0, 10.0.0.0/8 and 10.0.1.0/24. */
const arbEntries = fc
  .uniqueArray(fc.integer({ min: 1, max: 32766 }), { minLength: 0, maxLength: 8 })
  .chain((numbers) => fc.tuple(fc.constant(numbers), fc.array(arbEntryBody, { minLength: numbers.length, maxLength: numbers.length })))
  .map(([numbers, bodies]) =>
    numbers.map((number, i): NaclEntry => {
      const b = bodies[i];
      const c = [cidr('0.0.0.0/0'), cidr('10.0.0.0/8'), cidr('10.0.1.0/24')][b.prefix];
      return { number, action: b.action, protocol: b.protocol, ...(b.protocol === 'all' ? {} : { ports: { from: b.from, to: b.from + b.span } }), cidr: c };
    }),
  );
const arbPacket = fc.record({
  protocol: fc.constantFrom(6, 17, 1),
  key: fc.integer({ min: 0, max: 160 }),
  source: fc.constantFrom(ip('10.0.1.7'), ip('10.9.0.1'), ip('192.0.2.1')),
  destination: fc.constantFrom(ip('10.0.1.7'), ip('8.8.8.8')),
});
const arbDirection = fc.constantFrom<Direction>('ingress', 'egress');

describe('network ACL properties (§12 invariant 1)', () => {
  it('the verdict is the first match in ascending number order (a reference read straight from the doc)', () => {
    fc.assert(
      fc.property(arbEntries, arbPacket, arbDirection, (entries, packet, direction) => {
        const sorted = entriesInOrder(entries);
        const first = sorted.find((e) => naclEntryMatches(e, direction, packet));
        const d = evaluateNaclEntries(entries, direction, packet);
        if (first === undefined) expect(d).toEqual({ action: 'deny', number: 32767, entry: null });
        else expect(d).toEqual({ action: first.action, number: first.number, entry: first });
      }),
    );
  });

  it('the order of the entries never matters: numbers decide, not insertion', () => {
    fc.assert(
      fc.property(arbEntries.chain((es) => fc.tuple(fc.constant(es), fc.shuffledSubarray(es, { minLength: es.length, maxLength: es.length }))), arbPacket, arbDirection, ([entries, shuffled], packet, direction) => {
        expect(evaluateNaclEntries(shuffled, direction, packet)).toEqual(evaluateNaclEntries(entries, direction, packet));
        expect(evaluateNaclEntries([...entries].reverse(), direction, packet)).toEqual(evaluateNaclEntries(entries, direction, packet));
      }),
    );
  });

  it('a matching deny numbered below every matching allow always wins', () => {
    fc.assert(
      fc.property(arbEntries, arbPacket, arbDirection, (entries, packet, direction) => {
        const matching = entries.filter((e) => naclEntryMatches(e, direction, packet));
        const lowestAllow = Math.min(...matching.filter((e) => e.action === 'allow').map((e) => e.number));
        const lowestDeny = Math.min(...matching.filter((e) => e.action === 'deny').map((e) => e.number));
        const d = evaluateNaclEntries(entries, direction, packet);
        if (lowestDeny < lowestAllow || matching.length === 0) expect(d.action).toBe('deny');
        else expect(d.action).toBe('allow');
      }),
    );
  });
});

describe('network ACL directions and descriptions', () => {
  it('evaluateNacl reads the entries of the direction asked', () => {
    const a = acl([entry(10, 'deny')], [entry(10, 'allow')]);
    expect(evaluateNacl(a, 'ingress', tcp(80)).action).toBe('deny');
    expect(evaluateNacl(a, 'egress', tcp(80)).action).toBe('allow');
  });
  it('describes entries of every protocol', () => {
    expect(describeNaclDecision(evaluateNaclEntries([entry(100, 'allow')], 'ingress', tcp(1)))).toBe('100 allow all traffic 0.0.0.0/0');
    const d = (e: NaclEntry) => describeNaclDecision({ action: e.action, number: e.number, entry: e });
    expect(d(entry(110, 'deny', { protocol: 'tcp', ports: { from: 22, to: 22 }, cidr: cidr('10.0.1.0/24') }))).toBe('110 deny tcp/22 10.0.1.0/24');
    expect(d(entry(120, 'allow', { protocol: 'udp' }))).toBe('120 allow udp/0-65535 0.0.0.0/0');
    expect(d(entry(130, 'allow', { protocol: 'icmp', icmp: { type: 3, code: 4 } }))).toBe('130 allow icmp 3:4 0.0.0.0/0');
    expect(d(entry(140, 'allow', { protocol: 'icmp' }))).toBe('140 allow icmp -1:-1 0.0.0.0/0');
    expect(d(entry(150, 'deny', { protocol: 47 }))).toBe('150 deny protocol 47 0.0.0.0/0');
  });
  it('lists entries in evaluation order without changing the ACL', () => {
    const es = [entry(300, 'allow'), entry(100, 'deny'), entry(200, 'allow')];
    expect(entriesInOrder(es).map((e) => e.number)).toEqual([100, 200, 300]);
    expect(es.map((e) => e.number)).toEqual([300, 100, 200]);
  });
  it('udp entries match udp, not tcp, by port', () => {
    const e = entry(100, 'allow', { protocol: 'udp', ports: { from: 53, to: 53 } });
    expect(naclEntryMatches(e, 'ingress', { ...tcp(53), protocol: 17 })).toBe(true);
    expect(naclEntryMatches(e, 'ingress', tcp(53))).toBe(false);
  });
});

describe('a new custom NACL (§12 inv. 12)', () => {
  it('denies every packet both ways with the * entry; the default NACL admits every packet', () => {
    fc.assert(
      fc.property(arbPacket, arbDirection, (packet, direction) => {
        expect(evaluateNacl(acl([], []), direction, packet)).toEqual({ action: 'deny', number: 32767, entry: null });
        expect(evaluateNacl(acl([DEFAULT_NACL_ENTRY], [DEFAULT_NACL_ENTRY]), direction, packet)).toMatchObject({ action: 'allow', number: 100 });
      }),
    );
  });
});
