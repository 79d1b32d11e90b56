/**
 * test/model/vpc/peering: the peering check (no transit, no edge-to-edge: domain-vpc.md §7),
 * group identity across paths (§5; §12 inv. 6), and `.dns` resolution (§8).
 */
import { describe, expect, it } from 'vitest';
import { groupIdentityPreserved, isInterRegion, otherSide, peeringBetween, peeringRefusal, resolvePublicName } from '../../../src/model/vpc/peering.ts';
import { getInterface } from '../../../src/model/vpc/world.ts';
import { createVpcWorld } from '../../../src/model/vpc/build.ts';
import type { TransitGateway } from '../../../src/model/vpc/types.ts';
import { cidr, ip, twoTier, twoTierInput } from './fixtures.ts';

describe('peering', () => {
  const w = twoTier();
  const p = w.peerings['app-tools'];
  it('is found from either side, and knows its other side', () => {
    expect(peeringBetween(w, 'tools', 'app')).toBe(p);
    expect(otherSide(p, 'tools')).toBe('app');
    expect(otherSide(p, 'nope')).toBeNull();
    expect(isInterRegion(w, p)).toBe(false);
  });
  it('carries a packet only from the sender\'s blocks to the receiver\'s (PCX_REQUIRES_ADDRESS_IN_VPC_CIDR)', () => {
    expect(peeringRefusal(w, p, 'app', ip('10.0.1.20'), ip('10.1.1.9'))).toBeNull();
    expect(peeringRefusal(w, p, 'tools', ip('10.1.1.9'), ip('10.0.1.20'))).toBeNull();
    expect(peeringRefusal(w, p, 'app', ip('10.0.1.20'), ip('8.8.8.8'))).toMatchObject({ code: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', reason: expect.stringMatching(/edge-to-edge/) });
    expect(peeringRefusal(w, p, 'app', ip('10.5.0.1'), ip('10.1.1.9'))).toMatchObject({ reason: expect.stringMatching(/transit/) });
  });
});

describe('group identity across paths (§5)', () => {
  const input = twoTierInput();
  const tgw: TransitGateway = {
    id: 'tgw', region: 'us-east-1', dnsSupport: true, sgReferencing: true, routeTables: { rt: { id: 'rt', routes: [] } },
    attachments: {
      a: { id: 'a', kind: 'vpc', vpc: 'app', subnets: ['private-a'], routeTable: 'rt', propagate: [], dnsSupport: true, sgReferencing: true },
      b: { id: 'b', kind: 'vpc', vpc: 'tools', subnets: ['tools-a'], routeTable: 'rt', propagate: [], dnsSupport: false, sgReferencing: false },
    },
  };
  it('same VPC and an active same-region peering keep it, both ways', () => {
    const w = twoTier();
    expect(groupIdentityPreserved(w, { kind: 'same-vpc' }, 'egress')).toBe(true);
    expect(groupIdentityPreserved(w, { kind: 'peering', peering: 'app-tools' }, 'egress')).toBe(true);
    expect(groupIdentityPreserved(w, { kind: 'peering', peering: 'app-tools' }, 'ingress')).toBe(true);
  });
  it('a pending or inter-region peering, or anything translated, loses it', () => {
    const pending = createVpcWorld({ ...input, peerings: [{ id: 'app-tools', requester: 'app', accepter: 'tools', status: 'pending', dnsResolution: [] }] });
    expect(groupIdentityPreserved(pending, { kind: 'peering', peering: 'app-tools' }, 'ingress')).toBe(false);
    const far = createVpcWorld({ ...input, vpcs: [input.vpcs[0], { ...input.vpcs[1], region: 'eu-west-1' }] });
    expect(groupIdentityPreserved(far, { kind: 'peering', peering: 'app-tools' }, 'ingress')).toBe(false);
    expect(groupIdentityPreserved(twoTier(), { kind: 'translated' }, 'ingress')).toBe(false);
  });
  it('a TGW keeps it for inbound rules only, when the TGW and both attachments enable referencing', () => {
    const off = createVpcWorld({ ...input, transitGateways: [tgw] });
    expect(groupIdentityPreserved(off, { kind: 'tgw', tgw: 'tgw', fromVpc: 'tools', toVpc: 'app' }, 'ingress')).toBe(false);
    const on = createVpcWorld({ ...input, transitGateways: [{ ...tgw, attachments: { ...tgw.attachments, b: { ...tgw.attachments.b, sgReferencing: true } as typeof tgw.attachments.b } }] });
    expect(groupIdentityPreserved(on, { kind: 'tgw', tgw: 'tgw', fromVpc: 'tools', toVpc: 'app' }, 'ingress')).toBe(true);
    expect(groupIdentityPreserved(on, { kind: 'tgw', tgw: 'tgw', fromVpc: 'tools', toVpc: 'app' }, 'egress')).toBe(false);
  });
});

describe('.dns (§8)', () => {
  const input = twoTierInput();
  const dnsOn = { ...input, vpcs: [{ ...input.vpcs[0], dnsHostnames: true }, input.vpcs[1]] };
  it('no name without both DNS attributes or without a public address', () => {
    const w = twoTier();
    expect(resolvePublicName(w, getInterface(w, 'web')!, null)).toBeNull();
    const on = createVpcWorld(dnsOn);
    expect(resolvePublicName(on, getInterface(on, 'db')!, 'app')).toBeNull();
  });
  it('private inside the VPC, public elsewhere; private to a peer whose side resolves', () => {
    const on = createVpcWorld(dnsOn);
    const web = getInterface(on, 'web')!;
    expect(resolvePublicName(on, web, 'app')).toBe(ip('10.0.1.20'));
    expect(resolvePublicName(on, web, null)).toBe(ip('203.0.113.10'));
    expect(resolvePublicName(on, web, 'tools')).toBe(ip('203.0.113.10'));
    const peered = createVpcWorld({ ...dnsOn, peerings: [{ id: 'app-tools', requester: 'app', accepter: 'tools', status: 'active', dnsResolution: ['tools'] }] });
    expect(resolvePublicName(peered, getInterface(peered, 'web')!, 'tools')).toBe(ip('10.0.1.20'));
  });
  it('private over a TGW where the TGW and both attachments support DNS', () => {
    const tgw: TransitGateway = {
      id: 'tgw', region: 'us-east-1', dnsSupport: true, sgReferencing: false, routeTables: {},
      attachments: {
        a: { id: 'a', kind: 'vpc', vpc: 'app', subnets: ['private-a'], routeTable: null, propagate: [], dnsSupport: true, sgReferencing: false },
        b: { id: 'b', kind: 'vpc', vpc: 'tools', subnets: ['tools-a'], routeTable: null, propagate: [], dnsSupport: true, sgReferencing: false },
      },
    };
    const w = createVpcWorld({ ...dnsOn, transitGateways: [tgw] });
    expect(resolvePublicName(w, getInterface(w, 'web')!, 'tools')).toBe(ip('10.0.1.20'));
    const off = createVpcWorld({ ...dnsOn, transitGateways: [{ ...tgw, dnsSupport: false }] });
    expect(resolvePublicName(off, getInterface(off, 'web')!, 'tools')).toBe(ip('203.0.113.10'));
  });
});

describe('peering and identity, edge by edge', () => {
  const input = twoTierInput();
  const three = createVpcWorld({
    ...input,
    vpcs: [...input.vpcs, { id: 'ops', region: 'us-east-1', cidrs: [cidr('10.2.0.0/16'), cidr('10.3.0.0/16')] }],
    peerings: [
      { id: 'app-tools', requester: 'app', accepter: 'tools', status: 'active', dnsResolution: [] },
      { id: 'ops-app', requester: 'ops', accepter: 'app', status: 'pending', dnsResolution: ['app'] },
    ],
  });
  it('finds the one peering of a pair among several, and none for an unpeered pair', () => {
    expect(peeringBetween(three, 'app', 'ops')?.id).toBe('ops-app');
    expect(peeringBetween(three, 'ops', 'app')?.id).toBe('ops-app');
    expect(peeringBetween(three, 'tools', 'app')?.id).toBe('app-tools');
    expect(peeringBetween(three, 'tools', 'ops')).toBeUndefined();
    expect(peeringBetween(three, 'app', 'app')).toBeUndefined();
  });
  it('a VPC\'s secondary block counts for the peering check', () => {
    const p = three.peerings['ops-app'];
    expect(peeringRefusal(three, p, 'app', ip('10.0.1.20'), ip('10.3.0.9'))).toBeNull();
    expect(peeringRefusal(three, p, 'ops', ip('10.3.0.9'), ip('10.0.1.20'))).toBeNull();
    expect(peeringRefusal(three, p, 'tools', ip('10.1.1.1'), ip('10.0.1.20'))).toMatchObject({ reason: 'peering ops-app does not connect tools' });
  });
  it('an unknown peering or TGW keeps no identity', () => {
    expect(groupIdentityPreserved(three, { kind: 'peering', peering: 'nope' }, 'ingress')).toBe(false);
    expect(groupIdentityPreserved(three, { kind: 'tgw', tgw: 'nope', fromVpc: 'tools', toVpc: 'app' }, 'ingress')).toBe(false);
  });
  const tgw = (over: Partial<TransitGateway> = {}, a: Partial<{ sg: boolean; dns: boolean }> = {}, b: Partial<{ sg: boolean; dns: boolean }> = {}): TransitGateway => ({
    id: 'tgw', region: 'us-east-1', dnsSupport: true, sgReferencing: true, routeTables: {},
    attachments: {
      a: { id: 'a', kind: 'vpc', vpc: 'app', subnets: ['private-a'], routeTable: null, propagate: [], dnsSupport: a.dns ?? true, sgReferencing: a.sg ?? true },
      b: { id: 'b', kind: 'vpc', vpc: 'tools', subnets: ['tools-a'], routeTable: null, propagate: [], dnsSupport: b.dns ?? true, sgReferencing: b.sg ?? true },
    },
    ...over,
  });
  const path = { kind: 'tgw', tgw: 'tgw', fromVpc: 'tools', toVpc: 'app' } as const;
  it('TGW referencing needs the TGW, both attachments and both VPCs attached', () => {
    expect(groupIdentityPreserved(createVpcWorld({ ...input, transitGateways: [tgw()] }), path, 'ingress')).toBe(true);
    expect(groupIdentityPreserved(createVpcWorld({ ...input, transitGateways: [tgw({ sgReferencing: false })] }), path, 'ingress')).toBe(false);
    expect(groupIdentityPreserved(createVpcWorld({ ...input, transitGateways: [tgw({}, { sg: false })] }), path, 'ingress')).toBe(false);
    const one = tgw();
    const onlyApp = { ...one, attachments: { a: one.attachments.a } };
    expect(groupIdentityPreserved(createVpcWorld({ ...input, transitGateways: [onlyApp] }), path, 'ingress')).toBe(false);
    expect(groupIdentityPreserved(createVpcWorld({ ...input, transitGateways: [onlyApp] }), { ...path, fromVpc: 'app', toVpc: 'tools' }, 'ingress')).toBe(false);
    expect(groupIdentityPreserved(createVpcWorld({ ...input, transitGateways: [tgw({ region: 'eu-west-1' })] }), path, 'ingress')).toBe(false);
  });
  it('.dns over a TGW needs DNS support on both attachments and both VPCs attached; a pending peering resolves publicly', () => {
    const dnsOn = { ...input, vpcs: [{ ...input.vpcs[0], dnsHostnames: true }, input.vpcs[1]] };
    const web = (w: ReturnType<typeof createVpcWorld>) => resolvePublicName(w, getInterface(w, 'web')!, 'tools');
    expect(web(createVpcWorld({ ...dnsOn, transitGateways: [tgw({}, {}, { dns: false })] }))).toBe(ip('203.0.113.10'));
    expect(web(createVpcWorld({ ...dnsOn, transitGateways: [tgw({}, { dns: false })] }))).toBe(ip('203.0.113.10'));
    const one = tgw();
    expect(web(createVpcWorld({ ...dnsOn, transitGateways: [{ ...one, attachments: { a: one.attachments.a } }] }))).toBe(ip('203.0.113.10'));
    const pending = createVpcWorld({ ...dnsOn, peerings: [{ id: 'app-tools', requester: 'app', accepter: 'tools', status: 'pending', dnsResolution: ['tools'] }] });
    expect(web(pending)).toBe(ip('203.0.113.10'));
    const wrongSide = createVpcWorld({ ...dnsOn, peerings: [{ id: 'app-tools', requester: 'app', accepter: 'tools', status: 'active', dnsResolution: ['app'] }] });
    expect(web(wrongSide)).toBe(ip('203.0.113.10'));
  });
});
