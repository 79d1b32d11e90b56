/**
 * test/model/vpc/tgw: transit gateway routing (domain-vpc.md §7): propagated VPC blocks, static
 * routes over propagated ones of equal prefix, longest prefix first, blackhole routes, no route,
 * identical propagated CIDRs kept once, and the AZ rule for attachment subnets.
 */
import { describe, expect, it } from 'vitest';
import { createVpcWorld } from '../../../src/model/vpc/build.ts';
import { attachmentSubnetInZone, compareTgwRoutes, lookupTgwRoute, tgwAttachmentNaclChecks, tgwRoutePriority, tgwTableRoutes, vpcAttachment } from '../../../src/model/vpc/tgw.ts';
import type { TransitGateway } from '../../../src/model/vpc/types.ts';
import { cidr, ip, US } from './fixtures.ts';

const tgw: TransitGateway = {
  id: 'tgw',
  region: US,
  dnsSupport: true,
  sgReferencing: false,
  routeTables: {
    rt: {
      id: 'rt',
      routes: [
        { destination: { kind: 'cidr', cidr: cidr('10.2.0.0/16') }, attachment: 'att-a', origin: 'static' },
        { destination: { kind: 'cidr', cidr: cidr('10.2.9.0/24') }, attachment: null, origin: 'static' },
      ],
    },
  },
  attachments: {
    'att-a': { id: 'att-a', kind: 'vpc', vpc: 'a', subnets: ['a-1'], routeTable: 'rt', propagate: ['rt'], dnsSupport: true, sgReferencing: false },
    'att-b': { id: 'att-b', kind: 'vpc', vpc: 'b', subnets: ['b-1'], routeTable: 'rt', propagate: ['rt'], dnsSupport: true, sgReferencing: false },
    'att-c': { id: 'att-c', kind: 'vpc', vpc: 'c', subnets: ['c-1'], routeTable: 'rt', propagate: ['rt'], dnsSupport: true, sgReferencing: false },
  },
};
const w = createVpcWorld({
  seed: 't',
  vpcs: [
    { id: 'a', region: US, cidrs: [cidr('10.0.0.0/16')] },
    { id: 'b', region: US, cidrs: [cidr('10.2.0.0/16')] },
    { id: 'c', region: US, cidrs: [cidr('10.2.0.0/16')] },
  ],
  subnets: [
    { id: 'a-1', vpc: 'a', zone: 'us-east-1a', cidr: cidr('10.0.1.0/24') },
    { id: 'b-1', vpc: 'b', zone: 'us-east-1a', cidr: cidr('10.2.1.0/24') },
    { id: 'c-1', vpc: 'c', zone: 'us-east-1a', cidr: cidr('10.2.1.0/24') },
  ],
  transitGateways: [tgw],
});

describe('transit gateway route tables', () => {
  it('attachments propagate their VPC blocks; an identical CIDR is propagated once (first attachment)', () => {
    const routes = tgwTableRoutes(w, tgw, 'rt').filter((r) => r.origin === 'propagated');
    expect(routes.map((r) => r.attachment)).toEqual(['att-a', 'att-b']);
    expect(lookupTgwRoute(w, tgw, 'rt', ip('10.0.1.9'))).toMatchObject({ kind: 'route', attachment: { id: 'att-a' } });
  });
  it('a static route beats a propagated one of the same prefix', () => {
    expect(lookupTgwRoute(w, tgw, 'rt', ip('10.2.1.9'))).toMatchObject({ kind: 'route', route: { origin: 'static' }, attachment: { id: 'att-a' } });
  });
  it('the longest prefix first: a blackhole /24 inside it drops (TGW_RTB_BAD_STATE_ROUTE)', () => {
    expect(lookupTgwRoute(w, tgw, 'rt', ip('10.2.9.1'))).toMatchObject({ kind: 'blackhole' });
  });
  it('no route, and an unknown table, give none (TGW_RTB_CANNOT_ROUTE)', () => {
    expect(lookupTgwRoute(w, tgw, 'rt', ip('192.0.2.1'))).toEqual({ kind: 'none' });
    expect(lookupTgwRoute(w, tgw, 'other', ip('10.0.1.1'))).toEqual({ kind: 'none' });
  });
  it('a VPC reaches the TGW only from a zone where its attachment has a subnet (TGW_ROUTE_AZ_RESTRICTION)', () => {
    const att = vpcAttachment(tgw, 'a')!;
    expect(attachmentSubnetInZone(w, att, 'us-east-1a')).toBe('a-1');
    expect(attachmentSubnetInZone(w, att, 'us-east-1b')).toBeNull();
    expect(vpcAttachment(tgw, 'z')).toBeUndefined();
  });
});

describe('NACLs around a TGW attachment (§6, "How Network ACLs work with transit gateways")', () => {
  it('one subnet for instance and attachment: its outbound then inbound rules toward the TGW, none back', () => {
    expect(tgwAttachmentNaclChecks('s', 's', 'tgw')).toEqual([{ subnet: 's', direction: 'egress' }, { subnet: 's', direction: 'ingress' }]);
    expect(tgwAttachmentNaclChecks('s', 's', 'vpc')).toEqual([]);
  });
  it('separate subnets: instance out then attachment in toward the TGW; attachment out then instance in back', () => {
    expect(tgwAttachmentNaclChecks('i', 'a', 'tgw')).toEqual([{ subnet: 'i', direction: 'egress' }, { subnet: 'a', direction: 'ingress' }]);
    expect(tgwAttachmentNaclChecks('i', 'a', 'vpc')).toEqual([{ subnet: 'a', direction: 'egress' }, { subnet: 'i', direction: 'ingress' }]);
  });
});

describe('TGW route ties, edge by edge', () => {
  const r = (dest: string, attachment: string | null, origin: 'static' | 'propagated' = 'static') => ({
    destination: dest.startsWith('pl-') ? ({ kind: 'prefixList', prefixList: dest } as const) : ({ kind: 'cidr', cidr: cidr(dest) } as const),
    attachment,
    origin,
  });
  it('a static route to a prefix list ranks between static CIDR and propagated', () => {
    expect(tgwRoutePriority(r('10.0.0.0/8', 'a'))).toBe(0);
    expect(tgwRoutePriority(r('pl-1', 'a'))).toBe(1);
    expect(tgwRoutePriority(r('10.0.0.0/8', 'a', 'propagated'))).toBe(2);
    expect(compareTgwRoutes(r('pl-1', 'a'), r('10.0.0.0/8', 'b', 'propagated'))).toBeLessThan(0);
    expect(compareTgwRoutes(r('10.0.0.0/8', 'b', 'propagated'), r('pl-1', 'a'))).toBeGreaterThan(0);
  });
  it('ties go by prefix-list id, then attachment id', () => {
    expect(compareTgwRoutes(r('pl-1', 'z'), r('pl-2', 'a'))).toBeLessThan(0);
    expect(compareTgwRoutes(r('pl-2', 'a'), r('pl-1', 'z'))).toBeGreaterThan(0);
    expect(compareTgwRoutes(r('10.0.0.0/8', 'a'), r('10.0.0.0/8', 'b'))).toBeLessThan(0);
    expect(compareTgwRoutes(r('10.0.0.0/8', 'b'), r('10.0.0.0/8', 'a'))).toBeGreaterThan(0);
    expect(compareTgwRoutes(r('10.0.0.0/8', null), r('10.0.0.0/8', 'a'))).toBeLessThan(0);
    expect(compareTgwRoutes(r('10.0.0.0/8', 'a'), r('10.0.0.0/8', 'a'))).toBe(0);
  });
  it('prefix-list routes match their CIDRs; an unknown list nothing', () => {
    const withList = createVpcWorld({ seed: 't', vpcs: [{ id: 'a', region: US, cidrs: [cidr('10.0.0.0/16')] }], subnets: [{ id: 'a-1', vpc: 'a', zone: 'us-east-1a', cidr: cidr('10.0.1.0/24') }], prefixLists: [{ id: 'pl-1', cidrs: [cidr('192.0.2.0/24')] }] });
    const t2: TransitGateway = { ...tgw, routeTables: { rt: { id: 'rt', routes: [r('pl-1', 'att-a'), r('pl-gone', 'att-b')] } } };
    expect(lookupTgwRoute(withList, t2, 'rt', ip('192.0.2.7'))).toMatchObject({ kind: 'route', attachment: { id: 'att-a' }, matched: cidr('192.0.2.0/24') });
    expect(lookupTgwRoute(withList, t2, 'rt', ip('198.51.100.7'))).toEqual({ kind: 'none' });
  });
  it('propagation follows attachment ids, not declaration order', () => {
    const reordered: TransitGateway = { ...tgw, attachments: { 'att-c': tgw.attachments['att-c'], 'att-b': tgw.attachments['att-b'], 'att-a': tgw.attachments['att-a'] } };
    expect(tgwTableRoutes(w, reordered, 'rt').filter((x) => x.origin === 'propagated').map((x) => x.attachment)).toEqual(['att-a', 'att-b']);
  });
  it('a route to an attachment that does not exist is a blackhole', () => {
    const t2: TransitGateway = { ...tgw, routeTables: { rt: { id: 'rt', routes: [r('192.0.2.0/24', 'att-gone')] } } };
    expect(lookupTgwRoute(w, t2, 'rt', ip('192.0.2.1'))).toMatchObject({ kind: 'blackhole' });
  });
  it('an attachment subnet that does not exist serves no zone', () => {
    const att = { ...vpcAttachment(tgw, 'a')!, subnets: ['gone', 'a-1'] };
    expect(attachmentSubnetInZone(w, att, 'us-east-1a')).toBe('a-1');
  });
});
