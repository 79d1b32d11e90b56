/**
 * test/fabric/path/vpc/fixtures: VPC worlds for the hop tests, from `platform: vpc` YAML through
 * the file validator and its converter (scenario/vpc/validate.ts, to-world.ts) and the model's
 * builder, as a scenario is loaded; and a compact view of a trace's hops for assertions.
 */
import { parse as parseYaml } from 'yaml';
import { validateVpcScenario } from '../../../../src/scenario/vpc/index.ts';
import { worldInputOf } from '../../../../src/scenario/vpc/to-world.ts';
import { createVpcWorld } from '../../../../src/model/vpc/build.ts';
import type { VpcWorld } from '../../../../src/model/vpc/world.ts';
import type { VpcHop } from '../../../../src/fabric/path/vpc/hop.ts';

export function worldOf(yaml: string): VpcWorld {
  const r = validateVpcScenario(parseYaml(yaml), 'test.yaml');
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
  return createVpcWorld(worldInputOf(r.spec));
}

/** `kind:name` of each hop, with `!CODE` on a drop. */
export function hopsOf(hops: readonly VpcHop[]): string[] {
  return hops.map((h) => `${h.kind}:${h.name}${h.code !== undefined ? `!${h.code}` : ''}`);
}

/** The format's two-tier example (scenario-format-vpc.md), without its timeline. */
export const TWO_TIER = `
version: 1
platform: vpc
vpcs:
  app:   { region: us-east-1, cidr: 10.0.0.0/16, dns: { support: true, hostnames: true } }
  tools: { region: us-east-1, cidr: 10.1.0.0/16 }
subnets:
  public-a:  { vpc: app, zone: us-east-1a, cidr: 10.0.1.0/24, mapPublicIp: true }
  private-a: { vpc: app, zone: us-east-1a, cidr: 10.0.2.0/24 }
  tools-a:   { vpc: tools, zone: us-east-1a, cidr: 10.1.1.0/24 }
internetGateways: { igw: { vpc: app } }
natGateways: { nat: { subnet: public-a, elasticIp: 203.0.113.20 } }
peerings: { app-tools: { requester: app, accepter: tools } }
routeTables:
  public-rt:  { vpc: app, subnets: [public-a], routes: [{ destination: 0.0.0.0/0, target: igw }, { destination: 10.1.0.0/16, target: app-tools }] }
  private-rt: { vpc: app, subnets: [private-a], routes: [{ destination: 0.0.0.0/0, target: nat }] }
  tools-main: { vpc: tools, main: true, routes: [{ destination: 10.0.1.0/24, target: app-tools }] }
networkAcls:
  private-acl:
    vpc: app
    subnets: [private-a]
    ingress:
      - { number: 100, action: allow, protocol: tcp, ports: 5432, cidr: 10.0.1.0/24 }
      - { number: 110, action: allow, protocol: tcp, ports: 22, cidr: 10.0.1.0/24 }
    egress: [{ number: 100, action: allow, protocol: tcp, ports: 443, cidr: 0.0.0.0/0 }]
groups:
  bastion: { vpc: app, ingress: [{ protocol: tcp, ports: 22, from: { cidr: 198.51.100.0/24 } }] }
  web:
    vpc: app
    ingress: [{ protocol: tcp, ports: 443, from: { cidr: 0.0.0.0/0 } }, { protocol: tcp, ports: 9100, from: { group: monitor } }]
    egress: [{ protocol: tcp, ports: 5432, to: { group: db } }, { protocol: tcp, ports: 443, to: { cidr: 0.0.0.0/0 } }]
  db:
    vpc: app
    ingress: [{ protocol: tcp, ports: 5432, from: { group: web } }, { protocol: tcp, ports: 22, from: { group: bastion } }]
  monitor: { vpc: tools }
instances:
  bastion: { subnet: public-a, groups: [bastion], services: [tcp/22] }
  web:  { subnet: public-a, groups: [web], privateIp: 10.0.1.20, elasticIp: 203.0.113.10, services: [tcp/443, tcp/9100] }
  db:   { subnet: private-a, groups: [db], privateIp: 10.0.2.30, services: [tcp/5432, tcp/22] }
  prom: { subnet: tools-a, groups: [monitor] }
external: { admin: { ip: 198.51.100.7 }, updates: { ip: 192.0.2.80, services: [tcp/443] } }
`;

/**
 * A world for every row of domain-vpc.md §9's paths table: `app` (public `pub`, private `priv`
 * in zone a and `priv-b` in zone b, an IGW, a NAT gateway), `tools` peered with it, `far` peered
 * with tools only, `hub` joined to app by a transit gateway (attachment subnets in zone a only),
 * `eu` in another region; all NACLs the default (allow all).
 */
export const PATHS = `
version: 1
platform: vpc
vpcs:
  app:   { region: us-east-1, cidr: 10.0.0.0/16 }
  tools: { region: us-east-1, cidr: 10.1.0.0/16 }
  far:   { region: us-east-1, cidr: 10.2.0.0/16 }
  hub:   { region: us-east-1, cidr: 10.3.0.0/16 }
  eu:    { region: eu-west-1, cidr: 10.9.0.0/16 }
subnets:
  pub:     { vpc: app, zone: us-east-1a, cidr: 10.0.1.0/24, mapPublicIp: true }
  priv:    { vpc: app, zone: us-east-1a, cidr: 10.0.2.0/24 }
  priv-b:  { vpc: app, zone: us-east-1b, cidr: 10.0.3.0/24 }
  tools-a: { vpc: tools, zone: us-east-1a, cidr: 10.1.1.0/24 }
  far-a:   { vpc: far, zone: us-east-1a, cidr: 10.2.1.0/24 }
  hub-a:   { vpc: hub, zone: us-east-1a, cidr: 10.3.1.0/24 }
  eu-a:    { vpc: eu, zone: eu-west-1a, cidr: 10.9.1.0/24, mapPublicIp: true }
internetGateways: { igw: { vpc: app }, eu-igw: { vpc: eu } }
natGateways: { nat: { subnet: pub, elasticIp: 203.0.113.20 } }
peerings:
  app-tools: { requester: app, accepter: tools }
  tools-far: { requester: tools, accepter: far }
transitGateways:
  tgw:
    region: us-east-1
    routeTables: { tgw-rt: { routes: [] } }
    attachments:
      app-att: { vpc: app, subnets: [priv], routeTable: tgw-rt, propagate: [tgw-rt] }
      hub-att: { vpc: hub, subnets: [hub-a], routeTable: tgw-rt, propagate: [tgw-rt] }
routeTables:
  pub-rt:
    vpc: app
    subnets: [pub]
    routes:
      - { destination: 0.0.0.0/0, target: igw }
      - { destination: 10.1.0.0/16, target: app-tools }
      - { destination: 10.2.0.0/16, target: app-tools }
  priv-rt:
    vpc: app
    subnets: [priv, priv-b]
    routes:
      - { destination: 0.0.0.0/0, target: nat }
      - { destination: 10.3.0.0/16, target: tgw }
      - { destination: 10.7.0.0/16, target: igw-0dead, state: blackhole }
  tools-rt: { vpc: tools, main: true, routes: [{ destination: 10.0.0.0/16, target: app-tools }, { destination: 10.2.0.0/16, target: tools-far }] }
  far-rt: { vpc: far, main: true, routes: [{ destination: 10.0.0.0/8, target: tools-far }] }
  hub-rt: { vpc: hub, main: true, routes: [{ destination: 10.0.0.0/16, target: tgw }] }
  eu-rt: { vpc: eu, main: true, routes: [{ destination: 0.0.0.0/0, target: eu-igw }] }
groups:
  web:
    vpc: app
    ingress: [{ protocol: tcp, ports: 443, from: { cidr: 0.0.0.0/0 } }, { protocol: tcp, ports: 80, from: { group: web } }]
  db:
    vpc: app
    ingress: [{ protocol: tcp, ports: 5432, from: { group: web } }, { protocol: tcp, ports: 5432, from: { cidr: 10.3.0.0/16 } }]
  tool: { vpc: tools, ingress: [{ protocol: tcp, ports: 22, from: { group: web } }] }
  far-g: { vpc: far, ingress: [{ protocol: all, from: { cidr: 10.0.0.0/8 } }] }
  hub-g: { vpc: hub, ingress: [{ protocol: all, from: { cidr: 10.0.0.0/8 } }] }
  eu-g: { vpc: eu, ingress: [{ protocol: tcp, ports: 22, from: { cidr: 0.0.0.0/0 } }] }
instances:
  web:    { subnet: pub, groups: [web], privateIp: 10.0.1.10, elasticIp: 203.0.113.10, services: [tcp/443, tcp/80] }
  web2:   { subnet: pub, groups: [web], privateIp: 10.0.1.11, services: [tcp/80] }
  worker: { subnet: priv, groups: [web], privateIp: 10.0.2.20 }
  db:     { subnet: priv, groups: [db], privateIp: 10.0.2.10, services: [tcp/5432] }
  dbstop: { subnet: priv, groups: [db], privateIp: 10.0.2.11, state: stopped, services: [tcp/5432] }
  dbb:    { subnet: priv-b, groups: [db], privateIp: 10.0.3.10 }
  tool:   { subnet: tools-a, groups: [tool], services: [tcp/22] }
  far1:   { subnet: far-a, groups: [far-g], privateIp: 10.2.1.10, services: [tcp/22] }
  hub1:   { subnet: hub-a, groups: [hub-g], privateIp: 10.3.1.10, services: [tcp/5432] }
  eu1:    { subnet: eu-a, groups: [eu-g], privateIp: 10.9.1.10, services: [tcp/22] }
external: { client: { ip: 198.51.100.7 }, updates: { ip: 192.0.2.80, services: [tcp/443] } }
`;
