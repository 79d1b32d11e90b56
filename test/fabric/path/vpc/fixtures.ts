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
