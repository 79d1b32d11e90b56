/**
 * Tests of scenario/vpc: references between sections and through the timeline (peering state,
 * stale and cross-account group references, launches, closed connections, which hosts send),
 * each bad case with exactly one diagnostic at its path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validateVpcScenario } from '../../../src/scenario/vpc/index.ts';

const BASE = readFileSync(join(import.meta.dirname, 'fixtures/valid/two-tier.yaml'), 'utf8');
const later = (...entries: string[]): string => BASE + entries.map((e) => `  - ${e}\n`).join('');

function diagnostics(text: string): string[] {
  const r = validateVpcScenario(parseYaml(text), 't.yaml');
  return r.ok ? [] : r.diagnostics.map((d) => `${d.path} :: ${d.message}`);
}

describe('accepted', () => {
  it.each([
    ['a stale reference to a group nobody declares', BASE.replace('from: { group: monitor }', 'from: { group: sg-0000dead, stale: true }')],
    ['<account>/<group> naming the group\'s own account', BASE.replace('tools: { region: us-east-1, cidr: 10.1.0.0/16 }', "tools: { region: us-east-1, cidr: 10.1.0.0/16, account: '222233334444' }").replace('from: { group: monitor }', 'from: { group: 222233334444/monitor }')],
    ['a launch reusing the private IP and EIP of an instance terminated before', later('{ at: 300s, terminate: web }', '{ at: 301s, launch: { name: late, subnet: public-a, privateIp: 10.0.1.20, elasticIp: 203.0.113.10 } }')],
  ])('%s', (_, text) => {
    expect(diagnostics(text)).toEqual([]);
  });
});

describe('refused, one diagnostic each', () => {
  it.each([
    ['a group reference over a pending peering', BASE.replace('app-tools: { requester: app, accepter: tools }', 'app-tools: { requester: app, accepter: tools, status: pending }'),
      'groups.web.ingress[1].from.group :: group monitor is in VPC tools, out of reach of VPC app: a group reference reaches its own VPC, an active peer in the same region and, in ingress rules, a VPC on the same transit gateway with sgReferencing (or mark an imported one stale: true)'],
    ['<account>/<group> of another account', BASE.replace('from: { group: monitor }', 'from: { group: 999/monitor }'),
      'groups.web.ingress[1].from.group :: group monitor is in VPC tools, whose account is not given, not 999'],
    ['a prefix list nobody declares', BASE.replace('{ destination: 0.0.0.0/0, target: nat }', '{ destination: pl-0000abcd, target: nat }'),
      'routeTables.private-rt.routes[0].destination :: unknown prefix list "pl-0000abcd" (known: none)'],
    ['a launch of an existing name', later('{ at: 300s, launch: { name: web, subnet: public-a } }'),
      'timeline[6].launch.name :: "web" already exists (instances.web); a launch needs a new name'],
    ['a sender before its launch', later('{ at: 300s, connect: { from: late, to: web.private, port: 443 } }', '{ at: 301s, launch: { name: late, subnet: public-a } }'),
      'timeline[6].connect.from :: instance late does not exist yet at 300s: it is launched by timeline[7] at 301s'],
    ['a launch taking a held private IP', later('{ at: 300s, launch: { name: late, subnet: public-a, privateIp: 10.0.1.20 } }'),
      "timeline[6].launch.privateIp :: 10.0.1.20 is already web's private IP (instances.web.privateIp); no private address is held twice in VPC app"],
    ['a transfer on a closed connection', later('{ at: 300s, close: web-db }', '{ at: 301s, transfer: web-db }'),
      'timeline[7].transfer :: connection "web-db" is already closed by timeline[6]'],
    ['groups of another VPC for an interface', later('{ at: 300s, modify-instance-groups: { instance: prom, groups: [web] } }'),
      'timeline[6].modify-instance-groups.groups[0] :: group web is in VPC app, but network interface prom is in VPC tools (a group serves only its VPC)'],
    ['authorizing a rule the group holds', later('{ at: 300s, authorize: { group: web, rule: { protocol: tcp, ports: 443, from: { cidr: 0.0.0.0/0 } } } }'),
      'timeline[6].authorize.rule :: group web already has this ingress rule (groups.web.ingress[0]) at 300s'],
    ['an egress rule written with from', later('{ at: 300s, authorize: { group: web, direction: egress, rule: { protocol: tcp, ports: 443, from: { cidr: 0.0.0.0/0 } } } }'),
      'timeline[6].authorize.rule.from :: an egress rule names its destination with to (from is for ingress rules)'],
    ['a propagated route added by the timeline', later('{ at: 300s, add-route: { routeTable: public-rt, route: { destination: 10.9.0.0/16, target: igw, propagated: true } } }'),
      'timeline[6].add-route.route.propagated :: the timeline changes static routes only (propagated routes come and go with their propagation)'],
    ['a main table from another VPC', later('{ at: 300s, set-main-route-table: { vpc: tools, routeTable: public-rt } }'),
      'timeline[6].set-main-route-table.routeTable :: route table public-rt is in VPC app, not tools'],
    ['associating the NACL a subnet uses', later('{ at: 300s, associate-nacl: { subnet: private-a, acl: private-acl } }'),
      'timeline[6].associate-nacl.acl :: subnet private-a already uses private-acl at 300s'],
    ['a NAT gateway\'s .dns', later('{ at: 300s, ping: { from: web, to: nat.dns } }'),
      'timeline[6].ping.to :: unknown address kind "dns" in "nat.dns" (a NAT gateway has nat.private and nat.public)'],
    ['a NAT gateway as sender', later('{ at: 300s, ping: { from: nat, to: web.private } }'),
      'timeline[6].ping.from :: "nat" is a NAT gateway; traffic is sent by an instance, a network interface or an external host (bastion, web, db, prom, admin, updates)'],
    ['ephemeral ports from 0', BASE.replace('updates: { ip: 192.0.2.80, services: [tcp/443] }', 'updates: { ip: 192.0.2.80, services: [tcp/443], ephemeralPorts: 0-100 }'),
      'external.updates.ephemeralPorts :: port 0 is never a source port (ephemeral ports are 1 to 65535, e.g. 32768-60999)'],
    ['a private internet host', BASE.replace('admin: { ip: 198.51.100.7 }', 'admin: { ip: 10.9.9.9 }'),
      'external.admin.ip :: 10.9.9.9 is a private (RFC 1918) address; an internet host (without via) must be a public address'],
    ['a peering attachment that propagates', BASE.replace('peerings:', 'transitGateways:\n  east: { region: us-east-1, routeTables: { east-rt: {} }, attachments: { to-west: { peer: west, propagate: [east-rt] } } }\n  west: { region: us-west-2 }\npeerings:'),
      'transitGateways.east.attachments.to-west.propagate :: a peering attachment takes static routes only (it propagates nothing)'],
  ])('%s', (_, text, expected) => {
    expect(diagnostics(text)).toEqual([expected]);
  });
});
