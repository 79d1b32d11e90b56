/**
 * test/model/vpc/build: a VPC world from its parts (domain-vpc.md §1, §3, §5, §6): AWS's
 * implicit objects (default group, `<vpc>-main` table, `<vpc>-default` NACL with entry 100,
 * local routes), address placement (declared kept, the rest drawn from +4 up, never a reserved
 * or declared one, private IPs keyed by VPC so overlapping VPCs may reuse them), eth0's public
 * IP at launch, and the refusals: containment, overlap, reserved, duplicate, unknown references.
 */
import { describe, expect, it } from 'vitest';
import { createVpcWorld } from '../../../src/model/vpc/build.ts';
import { getInterface, groupsAt, interfaceAt, networkAclOfSubnet, privateHolder, publicHolder, routeTableOfSubnet, WorldError } from '../../../src/model/vpc/world.ts';
import { stopVpcInstance } from '../../../src/model/vpc/changes.ts';
import { isReservedInSubnet } from '../../../src/model/vpc/addressing.ts';
import { DEFAULT_NACL_ENTRY, defaultVpcGroup } from '../../../src/model/vpc/types.ts';
import { formatIp } from '../../../src/net/ipv4.ts';
import { cidr, ip, twoTier, twoTierInput, US } from './fixtures.ts';

describe('implicit objects', () => {
  const w = twoTier();
  it('every VPC has its default group, a main table and a default NACL (allow all at 100)', () => {
    expect(w.groups['default/tools']).toEqual(defaultVpcGroup('tools'));
    expect(w.vpcs.tools.mainRouteTable).toBe('tools-main');
    expect(w.vpcs.app.defaultNetworkAcl).toBe('app-default');
    expect(w.networkAcls['app-default']).toMatchObject({ isDefault: true, ingress: [DEFAULT_NACL_ENTRY], egress: [DEFAULT_NACL_ENTRY] });
    expect(networkAclOfSubnet(w, 'public-a').id).toBe('app-default');
    expect(networkAclOfSubnet(w, 'private-a').id).toBe('private-acl');
  });
  it('every table starts with a local route per VPC block', () => {
    const two = createVpcWorld({ seed: 's', vpcs: [{ id: 'v', region: US, cidrs: [cidr('10.0.0.0/16'), cidr('100.64.0.0/16')] }], subnets: [] });
    expect(two.routeTables['v-main'].routes.map((r) => r.target.kind)).toEqual(['local', 'local']);
    expect(routeTableOfSubnet(w, 'public-a').routes[0]).toMatchObject({ destination: { cidr: cidr('10.0.0.0/16') }, target: { kind: 'local' } });
  });
  it('DNS attributes default as AWS: support on, hostnames only in a default VPC', () => {
    expect(w.vpcs.app).toMatchObject({ dnsSupport: true, dnsHostnames: false });
    const d = createVpcWorld({ seed: 's', vpcs: [{ id: 'd', region: US, cidrs: [cidr('172.31.0.0/16')], isDefault: true }], subnets: [] });
    expect(d.vpcs.d.dnsHostnames).toBe(true);
  });
});

describe('addresses', () => {
  const w = twoTier();
  it('keeps declared private IPs and draws the rest from the subnet, past the reserved five', () => {
    expect(getInterface(w, 'web')!.addresses[0].privateIp).toBe(ip('10.0.1.20'));
    const b = getInterface(w, 'bastion')!.addresses[0].privateIp;
    expect(formatIp(b)).toBe('10.0.1.4');
    expect(formatIp(w.natGateways.nat.privateIp)).toBe('10.0.1.5');
    expect(privateHolder(w, 'app', ip('10.0.1.5'))).toEqual({ kind: 'nat', nat: 'nat', privateIp: ip('10.0.1.5') });
  });
  it('the five reserved addresses: network, +1, +2, +3 and the last', () => {
    const s = cidr('10.0.1.0/24');
    expect(['10.0.1.0', '10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.255'].map((a) => isReservedInSubnet(s, ip(a)))).toEqual([true, true, true, true, true]);
    expect(isReservedInSubnet(s, ip('10.0.1.4'))).toBe(false);
    expect(isReservedInSubnet(s, ip('10.0.1.254'))).toBe(false);
  });
  it('eth0 in a mapPublicIp subnet gets a public IP, unless an EIP holds eth0; a private subnet none', () => {
    expect(getInterface(w, 'bastion')!.addresses[0].publicIp).not.toBeNull();
    expect(getInterface(w, 'web')!.addresses[0]).toMatchObject({ publicIp: null, elasticIp: ip('203.0.113.10') });
    expect(getInterface(w, 'db')!.addresses[0].publicIp).toBeNull();
    expect(publicHolder(w, ip('203.0.113.10'))).toEqual({ kind: 'eni', eni: 'web', privateIp: ip('10.0.1.20'), elastic: true });
    expect(publicHolder(w, ip('203.0.113.20'))).toMatchObject({ kind: 'nat', nat: 'nat' });
  });
  it('an instance launched with two interfaces gets no automatic public IP', () => {
    const input = twoTierInput();
    const w2 = createVpcWorld({
      ...input,
      instances: [{ id: 'gw', state: 'running', services: [], interfaces: [{ id: 'gw-eth0', subnet: 'public-a' }, { id: 'gw-eth1', subnet: 'private-a' }] }],
    });
    expect(getInterface(w2, 'gw-eth0')!.addresses[0].publicIp).toBeNull();
    expect(getInterface(w2, 'gw-eth1')).toMatchObject({ deviceIndex: 1, instance: 'gw' });
  });
  it('private IPs are keyed by VPC: overlapping VPCs may hold the same address', () => {
    const w2 = createVpcWorld({
      seed: 's',
      vpcs: [{ id: 'a', region: US, cidrs: [cidr('10.0.0.0/16')] }, { id: 'b', region: US, cidrs: [cidr('10.0.0.0/16')] }],
      subnets: [{ id: 'sa', vpc: 'a', zone: 'z', cidr: cidr('10.0.0.0/24') }, { id: 'sb', vpc: 'b', zone: 'z', cidr: cidr('10.0.0.0/24') }],
      instances: [
        { id: 'x', state: 'running', services: [], interfaces: [{ id: 'x', subnet: 'sa', privateIp: ip('10.0.0.9') }] },
        { id: 'y', state: 'running', services: [], interfaces: [{ id: 'y', subnet: 'sb', privateIp: ip('10.0.0.9') }] },
      ],
    });
    expect(privateHolder(w2, 'a', ip('10.0.0.9'))).toMatchObject({ eni: 'x' });
    expect(privateHolder(w2, 'b', ip('10.0.0.9'))).toMatchObject({ eni: 'y' });
  });
  it('a drawn address never takes one declared by a later instance', () => {
    const input = twoTierInput();
    const w2 = createVpcWorld({
      ...input,
      instances: [
        { id: 'first', state: 'running', services: [], interfaces: [{ id: 'first', subnet: 'private-a' }] },
        { id: 'later', state: 'running', services: [], interfaces: [{ id: 'later', subnet: 'private-a', privateIp: ip('10.0.2.4') }] },
      ],
    });
    expect(getInterface(w2, 'first')!.addresses[0].privateIp).toBe(ip('10.0.2.5'));
  });
});

describe('refusals (WorldError)', () => {
  const base = twoTierInput();
  const refuse = (patch: Partial<typeof base>, message: RegExp) => expect(() => createVpcWorld({ ...base, ...patch })).toThrow(message);
  it('a subnet outside its VPC, overlapping another, or not /16 to /28', () => {
    refuse({ subnets: [...base.subnets, { id: 'x', vpc: 'app', zone: 'z', cidr: cidr('10.2.0.0/24') }] }, /outside the blocks/);
    refuse({ subnets: [...base.subnets, { id: 'x', vpc: 'app', zone: 'z', cidr: cidr('10.0.1.128/25') }] }, /overlaps subnet public-a/);
    refuse({ subnets: [...base.subnets, { id: 'x', vpc: 'app', zone: 'z', cidr: cidr('10.0.9.0/29') }] }, /not \/16 to \/28/);
  });
  it('an address reserved, outside its subnet, or held twice', () => {
    const inst = (privateIp: number) => ({ id: 'x', state: 'running' as const, services: [], interfaces: [{ id: 'x', subnet: 'private-a', privateIp }] });
    refuse({ instances: [inst(ip('10.0.2.1'))] }, /reserved/);
    refuse({ instances: [inst(ip('10.0.2.255'))] }, /reserved/);
    refuse({ instances: [inst(ip('10.0.3.9'))] }, /outside the subnet/);
    refuse({ instances: [inst(ip('10.0.2.9')), { ...inst(ip('10.0.2.9')), id: 'y', interfaces: [{ id: 'y', subnet: 'private-a', privateIp: ip('10.0.2.9') }] }] }, /already held/);
  });
  it('unknown references and groups of another VPC', () => {
    refuse({ subnets: [...base.subnets, { id: 'x', vpc: 'nope', zone: 'z', cidr: cidr('10.0.9.0/24') }] }, /unknown VPC nope/);
    refuse({ instances: [{ id: 'x', state: 'running', services: [], interfaces: [{ id: 'x', subnet: 'tools-a', groups: ['web'] }] }] }, /belongs to VPC app, not tools/);
    refuse({ instances: [{ id: 'x', state: 'running', services: [], interfaces: [{ id: 'x', subnet: 'tools-a', groups: ['ghost'] }] }] }, /unknown group ghost/);
  });
  it('two EIPs on one private IP, or one EIP twice', () => {
    refuse({ instances: [{ id: 'x', state: 'running', services: [], interfaces: [{ id: 'x', subnet: 'public-a', elasticIps: [{ ip: ip('198.51.100.1') }, { ip: ip('198.51.100.2') }] }] }] }, /two Elastic IPs/);
    expect(() => createVpcWorld({ ...base, routeTables: [...base.routeTables!, { id: 'r', vpc: 'app', main: true, routes: [] }, { id: 'r2', vpc: 'app', main: true, routes: [] }] })).toThrow(WorldError);
  });
});

describe('group membership by address (§5)', () => {
  it('every private IP of an interface carries its groups, stopped or not; a NAT gateway none', () => {
    const input = twoTierInput();
    const w = createVpcWorld({ ...input, instances: [...input.instances!, { id: 'multi', state: 'running', services: [], interfaces: [{ id: 'multi', subnet: 'private-a', groups: ['db', 'web'], privateIp: ip('10.0.2.40'), secondaryIps: [ip('10.0.2.41')] }] }] });
    expect(groupsAt(w, 'app', ip('10.0.2.41'))).toEqual(['db', 'web']);
    expect(groupsAt(stopVpcInstance(w, 'multi'), 'app', ip('10.0.2.40'))).toEqual(['db', 'web']);
    expect(groupsAt(w, 'app', w.natGateways.nat.privateIp)).toBeNull();
    expect(groupsAt(w, 'tools', ip('10.0.2.41'))).toBeNull();
    expect(interfaceAt(w, 'app', ip('10.0.2.30'))?.id).toBe('db');
  });
});
