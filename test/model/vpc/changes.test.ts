/**
 * test/model/vpc/changes: the configuration changes of a VPC world (scenario-format-vpc.md
 * "Timeline"): rules by direction, NACL entries (1-32766, the `*` untouchable), static routes
 * (the local route kept, middlebox routes only for whole subnets), associations, the main
 * table, interface groups; adding what exists or changing what does not is refused; patches
 * replay the change.
 */
import { describe, expect, it } from 'vitest';
import { applyPatches } from 'immer';
import {
  applyVpcChangeWithPatches,
  associateNacl,
  authorizeVpc,
  changeVpcRules,
  createNaclEntry,
  createRoute,
  deleteNaclEntry,
  deleteRoute,
  interfaceForGroups,
  launchVpcInstance,
  modifyInterfaceGroups,
  replaceNaclEntry,
  replaceRoute,
  revokeVpc,
} from '../../../src/model/vpc/changes.ts';
import { getInterface, networkAclOfSubnet } from '../../../src/model/vpc/world.ts';
import { lookupRouteFromSubnet } from '../../../src/model/vpc/routes.ts';
import { evaluateNacl } from '../../../src/policy/nacl.ts';
import type { NaclEntry, VpcRule } from '../../../src/model/vpc/types.ts';
import { cidr, ip, twoTier } from './fixtures.ts';

const https: VpcRule = { protocol: 'tcp', ports: { from: 443, to: 443 }, peer: { kind: 'cidr', cidr: cidr('0.0.0.0/0') } };
const ephemeral: NaclEntry = { number: 120, action: 'allow', protocol: 'tcp', ports: { from: 32768, to: 60999 }, cidr: cidr('10.0.1.0/24') };

describe('security group rules by direction', () => {
  it('authorize adds to the direction named, revoke removes; descriptions do not make a rule new', () => {
    const w = authorizeVpc(twoTier(), 'db', 'egress', https);
    expect(w.groups.db.egress).toEqual([https]);
    expect(w.groups.db.ingress).toHaveLength(1);
    expect(() => authorizeVpc(w, 'db', 'egress', { ...https, description: 'again' })).toThrow(/already has egress rule/);
    expect(revokeVpc(w, 'db', 'egress', https).groups.db.egress).toEqual([]);
    expect(() => revokeVpc(w, 'db', 'ingress', https)).toThrow(/no ingress rule/);
    expect(() => authorizeVpc(w, 'ghost', 'egress', https)).toThrow(/unknown group/);
  });
  it('changeVpcRules is pure and shared', () => {
    const g = twoTier().groups.web;
    const g2 = changeVpcRules(g, { kind: 'authorize', direction: 'ingress', rule: { ...https, peer: { kind: 'prefixList', prefixList: 'pl-x' } } });
    expect(g.ingress).toHaveLength(1);
    expect(g2.ingress).toHaveLength(2);
  });
});

describe('network ACL entries', () => {
  it('add, replace and remove an entry; the next evaluation sees it', () => {
    const pkt = { protocol: 6, key: 40000, source: ip('10.0.2.30'), destination: ip('10.0.1.20') };
    let w = twoTier();
    expect(evaluateNacl(networkAclOfSubnet(w, 'private-a'), 'egress', pkt)).toMatchObject({ action: 'deny', number: 32767 });
    w = createNaclEntry(w, 'private-acl', 'egress', ephemeral);
    expect(evaluateNacl(networkAclOfSubnet(w, 'private-a'), 'egress', pkt)).toMatchObject({ action: 'allow', number: 120 });
    w = replaceNaclEntry(w, 'private-acl', 'egress', { ...ephemeral, action: 'deny' });
    expect(evaluateNacl(networkAclOfSubnet(w, 'private-a'), 'egress', pkt)).toMatchObject({ action: 'deny', number: 120 });
    w = deleteNaclEntry(w, 'private-acl', 'egress', 120);
    expect(evaluateNacl(networkAclOfSubnet(w, 'private-a'), 'egress', pkt)).toMatchObject({ number: 32767 });
  });
  it('refuses a duplicate number, a missing one, and numbers outside 1-32766', () => {
    const w = createNaclEntry(twoTier(), 'private-acl', 'egress', ephemeral);
    expect(() => createNaclEntry(w, 'private-acl', 'egress', ephemeral)).toThrow(/already exists/);
    expect(() => replaceNaclEntry(w, 'private-acl', 'ingress', ephemeral)).toThrow(/does not exist/);
    expect(() => deleteNaclEntry(w, 'private-acl', 'egress', 32767)).toThrow(/1 to 32766/);
    expect(() => createNaclEntry(w, 'private-acl', 'egress', { ...ephemeral, number: 0 })).toThrow(/1 to 32766/);
  });
  it('associating a NACL replaces the subnet\'s, within its VPC only', () => {
    const w = associateNacl(twoTier(), 'public-a', 'private-acl');
    expect(networkAclOfSubnet(w, 'public-a').id).toBe('private-acl');
    expect(() => associateNacl(w, 'tools-a', 'private-acl')).toThrow(/not subnet tools-a/);
  });
});

describe('routes', () => {
  const dst = { kind: 'cidr', cidr: cidr('192.0.2.0/24') } as const;
  it('add, replace, remove a static route', () => {
    let w = createRoute(twoTier(), 'private-rt', { destination: dst, target: { kind: 'vgw', id: 'vgw' } });
    expect(lookupRouteFromSubnet(w, 'private-a', ip('192.0.2.9'))).toMatchObject({ route: { target: { kind: 'vgw' } } });
    w = replaceRoute(w, 'private-rt', { destination: dst, target: { kind: 'nat', id: 'nat' } });
    expect(lookupRouteFromSubnet(w, 'private-a', ip('192.0.2.9'))).toMatchObject({ route: { target: { kind: 'nat' }, destination: dst } });
    w = deleteRoute(w, 'private-rt', dst);
    expect(lookupRouteFromSubnet(w, 'private-a', ip('192.0.2.9'))).toMatchObject({ route: { destination: { cidr: cidr('0.0.0.0/0') } } });
  });
  it('refuses a duplicate destination, a missing one, an unknown target', () => {
    const w = twoTier();
    expect(() => createRoute(w, 'private-rt', { destination: { kind: 'cidr', cidr: cidr('0.0.0.0/0') }, target: { kind: 'igw', id: 'igw' } })).toThrow(/already exists/);
    expect(() => deleteRoute(w, 'private-rt', dst)).toThrow(/does not exist/);
    expect(() => createRoute(w, 'private-rt', { destination: dst, target: { kind: 'igw', id: 'igw-nope' } })).toThrow(/unknown igw target/);
    expect(createRoute(w, 'private-rt', { destination: dst, target: { kind: 'igw', id: 'igw-gone' }, state: 'blackhole' }).routeTables['private-rt'].routes).toHaveLength(3);
  });
  it('the local route cannot be removed; its target may be replaced by a NAT gateway or an interface', () => {
    const local = { kind: 'cidr', cidr: cidr('10.0.0.0/16') } as const;
    const w = twoTier();
    expect(() => deleteRoute(w, 'private-rt', local)).toThrow(/local route cannot be removed/);
    expect(() => replaceRoute(w, 'private-rt', { destination: local, target: { kind: 'igw', id: 'igw' } })).toThrow(/only be replaced/);
    const r = replaceRoute(w, 'private-rt', { destination: local, target: { kind: 'eni', id: 'web' } });
    expect(lookupRouteFromSubnet(r, 'private-a', ip('10.0.1.20'))).toMatchObject({ route: { target: { kind: 'eni', id: 'web' } } });
    expect(() => deleteRoute(r, 'private-rt', local)).toThrow(/local route cannot be removed/);
  });
  it('a route inside the VPC block only for a whole subnet, to a NAT gateway or interface (middlebox routing)', () => {
    const w = twoTier();
    expect(createRoute(w, 'public-rt', { destination: { kind: 'cidr', cidr: cidr('10.0.2.0/24') }, target: { kind: 'eni', id: 'web' } }).routeTables['public-rt'].routes).toHaveLength(4);
    expect(() => createRoute(w, 'public-rt', { destination: { kind: 'cidr', cidr: cidr('10.0.2.0/25') }, target: { kind: 'eni', id: 'web' } })).toThrow(/middlebox/);
    expect(() => createRoute(w, 'public-rt', { destination: { kind: 'cidr', cidr: cidr('10.0.2.0/24') }, target: { kind: 'igw', id: 'igw' } })).toThrow(/middlebox/);
  });
});

describe('interface groups (modify-instance-groups)', () => {
  it('replaces an interface\'s groups, within its VPC, 1 to 16 distinct', () => {
    const w = modifyInterfaceGroups(twoTier(), 'db', ['db', 'web']);
    expect(getInterface(w, 'db')!.groups).toEqual(['db', 'web']);
    expect(() => modifyInterfaceGroups(w, 'db', [])).toThrow(/1 to 16/);
    expect(() => modifyInterfaceGroups(w, 'db', ['db', 'db'])).toThrow(/twice/);
    expect(() => modifyInterfaceGroups(w, 'db', ['default/tools'])).toThrow(/belongs to VPC tools/);
  });
  it('the instance form names its only interface, and is refused with several', () => {
    const w = twoTier();
    expect(interfaceForGroups(w, 'db')).toBe('db');
    const two = launchVpcInstance(w, { id: 'gw', state: 'running', services: [], interfaces: [{ id: 'gw-0', subnet: 'public-a' }, { id: 'gw-1', subnet: 'private-a' }] });
    expect(() => interfaceForGroups(two, 'gw')).toThrow(/2 interfaces/);
  });
});

describe('patches', () => {
  it('replaying a change\'s patches on the old world gives the new one', () => {
    const w = twoTier();
    const [next, patches] = applyVpcChangeWithPatches(w, { kind: 'add-nacl-entry', acl: 'private-acl', direction: 'egress', entry: ephemeral });
    expect(applyPatches(w, patches)).toEqual(next);
  });
});
