/**
 * test/model/vpc/fixtures: a small VPC world to test against (the two-tier example of
 * scenario-format-vpc.md, cut down): VPC `app` (10.0.0.0/16) with a public and a private subnet
 * in one zone, an IGW, a VGW, a NAT gateway, a peered VPC `tools`, and three instances.
 */
import { parseCidr, parseIp, type Cidr, type Ip } from '../../../src/net/ipv4.ts';
import { createVpcWorld, type VpcWorldInput } from '../../../src/model/vpc/build.ts';
import type { VpcWorld } from '../../../src/model/vpc/world.ts';

export function ip(text: string): Ip {
  const v = parseIp(text);
  if (typeof v !== 'number') throw new Error(v.error);
  return v;
}

export function cidr(text: string): Cidr {
  const v = parseCidr(text);
  if ('error' in v) throw new Error(v.error);
  return v;
}

export const US = 'us-east-1';

export function twoTierInput(extra: Partial<VpcWorldInput> = {}): VpcWorldInput {
  return {
    seed: 'fixture',
    vpcs: [
      { id: 'app', region: US, cidrs: [cidr('10.0.0.0/16')] },
      { id: 'tools', region: US, cidrs: [cidr('10.1.0.0/16')] },
    ],
    subnets: [
      { id: 'public-a', vpc: 'app', zone: 'us-east-1a', cidr: cidr('10.0.1.0/24'), mapPublicIpOnLaunch: true },
      { id: 'private-a', vpc: 'app', zone: 'us-east-1a', cidr: cidr('10.0.2.0/24') },
      { id: 'tools-a', vpc: 'tools', zone: 'us-east-1a', cidr: cidr('10.1.1.0/24') },
    ],
    internetGateways: [{ id: 'igw', vpc: 'app' }],
    vpnGateways: [{ id: 'vgw', vpc: 'app' }],
    natGateways: [{ id: 'nat', subnet: 'public-a', elasticIp: ip('203.0.113.20') }],
    peerings: [{ id: 'app-tools', requester: 'app', accepter: 'tools', status: 'active', dnsResolution: [] }],
    routeTables: [
      {
        id: 'public-rt',
        vpc: 'app',
        subnets: ['public-a'],
        routes: [
          { destination: { kind: 'cidr', cidr: cidr('0.0.0.0/0') }, target: { kind: 'igw', id: 'igw' } },
          { destination: { kind: 'cidr', cidr: cidr('10.1.0.0/16') }, target: { kind: 'pcx', id: 'app-tools' } },
        ],
      },
      { id: 'private-rt', vpc: 'app', subnets: ['private-a'], routes: [{ destination: { kind: 'cidr', cidr: cidr('0.0.0.0/0') }, target: { kind: 'nat', id: 'nat' } }] },
    ],
    networkAcls: [
      {
        id: 'private-acl',
        vpc: 'app',
        subnets: ['private-a'],
        ingress: [{ number: 100, action: 'allow', protocol: 'tcp', ports: { from: 5432, to: 5432 }, cidr: cidr('10.0.1.0/24') }],
        egress: [{ number: 100, action: 'allow', protocol: 'tcp', ports: { from: 443, to: 443 }, cidr: cidr('0.0.0.0/0') }],
      },
    ],
    groups: [
      { key: 'web', name: 'web', vpc: 'app', ingress: [{ protocol: 'tcp', ports: { from: 443, to: 443 }, peer: { kind: 'cidr', cidr: cidr('0.0.0.0/0') } }], egress: [{ protocol: 'tcp', ports: { from: 5432, to: 5432 }, peer: { kind: 'group', group: 'db' } }] },
      { key: 'db', name: 'db', vpc: 'app', ingress: [{ protocol: 'tcp', ports: { from: 5432, to: 5432 }, peer: { kind: 'group', group: 'web' } }], egress: [] },
    ],
    instances: [
      { id: 'web', state: 'running', services: [], interfaces: [{ id: 'web', subnet: 'public-a', groups: ['web'], privateIp: ip('10.0.1.20'), elasticIps: [{ ip: ip('203.0.113.10') }] }] },
      { id: 'db', state: 'running', services: [], interfaces: [{ id: 'db', subnet: 'private-a', groups: ['db'], privateIp: ip('10.0.2.30') }] },
      { id: 'bastion', state: 'running', services: [], interfaces: [{ id: 'bastion', subnet: 'public-a' }] },
    ],
    ...extra,
  };
}

export function twoTier(extra: Partial<VpcWorldInput> = {}): VpcWorld {
  return createVpcWorld(twoTierInput(extra));
}
