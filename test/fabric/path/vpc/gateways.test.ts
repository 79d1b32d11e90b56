/**
 * test/fabric/path/vpc/gateways: the gateways the paths table does not list — a VGW and the
 * hosts behind it, appliances (eni/instance routes, source/dest check), TGW tables without
 * association or with a blackhole, inter-region peering and group identity, untracked flows
 * (domain-vpc.md §3, §5, §7).
 */
import { describe, expect, test } from 'vitest';
import { traceVpc } from '../../../../src/fabric/path/vpc/plan.ts';
import { hopsOf, worldOf } from './fixtures.ts';

const WORLD = `
version: 1
platform: vpc
vpcs:
  app: { region: us-east-1, cidr: 10.0.0.0/16 }
  hub: { region: us-east-1, cidr: 10.3.0.0/16 }
  lone: { region: us-east-1, cidr: 10.4.0.0/16 }
  eu:  { region: eu-west-1, cidr: 10.9.0.0/16 }
subnets:
  a1: { vpc: app, zone: us-east-1a, cidr: 10.0.1.0/24 }
  a2: { vpc: app, zone: us-east-1a, cidr: 10.0.2.0/24 }
  a3: { vpc: app, zone: us-east-1a, cidr: 10.0.3.0/24 }
  hub-a: { vpc: hub, zone: us-east-1a, cidr: 10.3.1.0/24 }
  lone-a: { vpc: lone, zone: us-east-1a, cidr: 10.4.1.0/24 }
  eu-a: { vpc: eu, zone: eu-west-1a, cidr: 10.9.1.0/24 }
vpnGateways: { vgw: { vpc: app } }
peerings: { app-eu: { requester: app, accepter: eu } }
transitGateways:
  tgw:
    region: us-east-1
    routeTables:
      rt: { routes: [{ destination: 10.3.9.0/24, blackhole: true }] }
    attachments:
      app-att: { vpc: app, subnets: [a1], routeTable: rt, propagate: [rt] }
      hub-att: { vpc: hub, subnets: [hub-a], routeTable: rt, propagate: [rt] }
      lone-att: { vpc: lone, subnets: [lone-a], propagate: [rt] }
routeTables:
  a1-rt:
    vpc: app
    subnets: [a1]
    routes:
      - { destination: 172.16.0.0/12, target: vgw }
      - { destination: 10.3.0.0/16, target: tgw }
      - { destination: 10.4.0.0/16, target: tgw }
      - { destination: 10.9.0.0/16, target: app-eu }
      - { destination: 192.0.2.0/24, target: fw }
      - { destination: 198.51.100.0/24, target: nofw }
  a2-rt: { vpc: app, subnets: [a2], routes: [{ destination: 10.0.1.0/24, target: fw }] }
  hub-rt: { vpc: hub, main: true, routes: [{ destination: 10.0.0.0/16, target: tgw }] }
  lone-rt: { vpc: lone, main: true, routes: [{ destination: 10.0.0.0/16, target: tgw }] }
  eu-rt: { vpc: eu, main: true, routes: [{ destination: 10.0.0.0/16, target: app-eu }] }
groups:
  open:
    vpc: app
    ingress: [{ protocol: all, from: { cidr: 0.0.0.0/0 } }, { protocol: tcp, ports: 8080, from: { group: open } }]
    egress: [{ protocol: all, to: { cidr: 0.0.0.0/0 } }]
  narrow:
    vpc: app
    ingress: [{ protocol: tcp, ports: 22, from: { cidr: 10.0.0.0/8 } }]
    egress: [{ protocol: tcp, ports: 22, to: { cidr: 10.0.0.0/8 } }]
  refonly: { vpc: app, ingress: [{ protocol: tcp, ports: 8080, from: { group: open } }] }
  eu-g: { vpc: eu, ingress: [{ protocol: tcp, ports: 22, from: { cidr: 10.0.0.0/8 } }] }
  hub-g: { vpc: hub, ingress: [{ protocol: all, from: { cidr: 10.0.0.0/8 } }] }
instances:
  app1: { subnet: a1, groups: [open], privateIp: 10.0.1.10, services: [tcp/22, tcp/8080] }
  app2: { subnet: a2, groups: [open], privateIp: 10.0.2.10, services: [tcp/22] }
  ref1: { subnet: a1, groups: [refonly], privateIp: 10.0.1.30, services: [tcp/8080] }
  n1: { subnet: a1, groups: [narrow], privateIp: 10.0.1.20, services: [tcp/22] }
  n3: { subnet: a3, groups: [narrow], privateIp: 10.0.3.20, services: [tcp/22] }
  fw: { subnet: a1, groups: [open], privateIp: 10.0.1.5, sourceDestCheck: false }
  nofw: { subnet: a1, groups: [open], privateIp: 10.0.1.6 }
  hub1: { subnet: hub-a, groups: [hub-g], privateIp: 10.3.1.10, services: [tcp/22] }
  lone1: { subnet: lone-a, privateIp: 10.4.1.10 }
  eu1: { subnet: eu-a, groups: [eu-g], privateIp: 10.9.1.10, services: [tcp/22] }
external:
  office: { ip: 172.16.5.5, via: vgw, services: [tcp/443] }
  web: { ip: 192.0.2.80, services: [tcp/443] }
`;
const w = worldOf(WORLD);

describe('VGW', () => {
  test('a vgw route reaches the external hosts declared behind it, and they answer back through it', () => {
    const t = traceVpc(w, { from: 'app1', to: 'office', protocol: 'tcp', port: 443 });
    expect(t.outcome).toBe('connected');
    expect(hopsOf(t.forward)).toEqual(['sg-egress:app1', 'route-table:a1-rt', 'nacl-out:app-default', 'vgw:vgw', 'host:office']);
    expect(hopsOf(t.reverse)).toEqual(['vgw:vgw', 'nacl-in:app-default', 'sg-ingress:app1', 'host:app1']);
  });

  test('a vgw route to an address no host behind it holds: NO_POSSIBLE_DESTINATION', () => {
    expect(traceVpc(w, { from: 'app1', to: '172.16.9.9', protocol: 'tcp', port: 443 }).explanation.code).toBe('NO_POSSIBLE_DESTINATION');
  });
});

describe('appliances', () => {
  test('a route to an instance with source/dest check off forwards through it (identity lost)', () => {
    const t = traceVpc(w, { from: 'app2', to: 'ref1.private', protocol: 'tcp', port: 8080 });
    expect(hopsOf(t.forward)).toEqual(['sg-egress:app2', 'route-table:a2-rt', 'nacl-out:app-default', 'nacl-in:app-default', 'eni:fw', 'sg-ingress:ref1!SG_REFERENCES_NOT_PRESERVED', 'host:ref1']);
    // From inside fw's own subnet, with no appliance on the way, the reference matches.
    expect(traceVpc(w, { from: 'app1', to: 'ref1.private', protocol: 'tcp', port: 8080 }).outcome).toBe('connected');
    // Without the group reference (all from 0.0.0.0/0), the same path connects.
    expect(traceVpc(w, { from: 'app2', to: 'app1.private', protocol: 'tcp', port: 22 }).outcome).toBe('connected');
  });

  test('an appliance with source/dest check on does not forward (ENI_SOURCE_DEST_CHECK_RESTRICTION)', () => {
    const t = traceVpc(w, { from: 'app1', to: 'web', protocol: 'tcp', port: 443 });
    expect(t.forward.map((h) => h.kind)).toContain('eni');
    expect(traceVpc(w, { from: 'app1', to: '198.51.100.1', protocol: 'tcp', port: 443 }).explanation.code).toBe('ENI_SOURCE_DEST_CHECK_RESTRICTION');
  });
});

describe('transit gateway tables', () => {
  test('a blackhole in the TGW table drops with TGW_RTB_BAD_STATE_ROUTE', () => {
    expect(traceVpc(w, { from: 'app1', to: '10.3.9.9', protocol: 'tcp', port: 22 }).explanation).toMatchObject({ code: 'TGW_RTB_BAD_STATE_ROUTE', kind: 'tgw' });
  });

  test('an attachment with no associated table: TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION', () => {
    expect(traceVpc(w, { from: 'lone1', to: 'app1.private', protocol: 'tcp', port: 22 }).explanation.code).toBe('TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION');
  });

  test('the reply crosses the TGW by the replier\'s attachment; flows through it are always tracked', () => {
    const t = traceVpc(w, { from: 'app1', to: 'hub1.private', protocol: 'tcp', port: 22 });
    expect(t.outcome).toBe('connected');
    expect(t.reverse.filter((h) => h.kind.startsWith('sg-')).map((h) => h.verdict)).toEqual(['tracked', 'tracked']);
  });
});

describe('peering across regions', () => {
  test('inter-region peering carries the packet both ways (the reply by the peer\'s own route)', () => {
    const t = traceVpc(w, { from: 'n1', to: 'eu1.private', protocol: 'tcp', port: 22 });
    expect(t.outcome).toBe('connected');
    expect(hopsOf(t.forward)).toContain('pcx:app-eu');
  });
});

describe('untracked flows (§5)', () => {
  test('0.0.0.0/0 rules both ways leave a flow untracked: its reply is judged by the rules, and passes them', () => {
    const t = traceVpc(w, { from: 'app2', to: '10.0.1.6', protocol: 'tcp', port: 22 });
    expect(t.reverse.filter((h) => h.kind.startsWith('sg-')).map((h) => h.verdict)).toEqual(['allow', 'allow']);
  });

  test('a narrower rule keeps the flow tracked: its reply passes by tracking', () => {
    const t = traceVpc(w, { from: 'n1', to: 'n3.private', protocol: 'tcp', port: 22 });
    expect(t.outcome).toBe('connected');
    expect(t.reverse.filter((h) => h.kind.startsWith('sg-')).map((h) => h.verdict)).toEqual(['tracked', 'tracked']);
  });
});

describe('group references over a transit gateway (§5)', () => {
  const tgwWorld = (referencing: boolean) =>
    worldOf(`
version: 1
platform: vpc
vpcs:
  a: { region: us-east-1, cidr: 10.0.0.0/16 }
  b: { region: us-east-1, cidr: 10.1.0.0/16 }
subnets:
  a1: { vpc: a, zone: us-east-1a, cidr: 10.0.1.0/24 }
  b1: { vpc: b, zone: us-east-1a, cidr: 10.1.1.0/24 }
transitGateways:
  tgw:
    region: us-east-1
    sgReferencing: ${referencing}
    routeTables: { rt: { routes: [] } }
    attachments:
      a-att: { vpc: a, subnets: [a1], routeTable: rt, propagate: [rt], sgReferencing: ${referencing} }
      b-att: { vpc: b, subnets: [b1], routeTable: rt, propagate: [rt], sgReferencing: ${referencing} }
routeTables:
  a-rt: { vpc: a, main: true, routes: [{ destination: 10.1.0.0/16, target: tgw }] }
  b-rt: { vpc: b, main: true, routes: [{ destination: 10.0.0.0/16, target: tgw }] }
groups:
  client: { vpc: a }
  server: { vpc: b, ingress: [{ protocol: tcp, ports: 22, from: ${referencing ? '{ group: client }' : '{ cidr: 10.0.0.0/8 }'} }] }
instances:
  c: { subnet: a1, groups: [client] }
  s: { subnet: b1, groups: [server], services: [tcp/22] }
`);

  test('with referencing on at the TGW and both attachments, an inbound rule naming the peer VPC\'s group matches', () => {
    const t = traceVpc(tgwWorld(true), { from: 'c', to: 's.private', protocol: 'tcp', port: 22 });
    expect(t.outcome).toBe('connected');
    expect(t.explanation).toMatchObject({ code: 'ALLOWED_BY_RULE', group: 'server' });
  });

  test('with referencing off at the TGW, the same rule matches nothing: SG_REFERENCES_NOT_PRESERVED', () => {
    const on = tgwWorld(true);
    const off = { ...on, transitGateways: { tgw: { ...on.transitGateways.tgw, sgReferencing: false } } };
    expect(traceVpc(off, { from: 'c', to: 's.private', protocol: 'tcp', port: 22 }).explanation.code).toBe('SG_REFERENCES_NOT_PRESERVED');
  });
});
