/**
 * test/fabric/path/vpc/arbitraries: random small VPC worlds and flows for the trace properties.
 *
 * A world: 2-3 VPCs (blocks 10.<v>.0.0/16, one or two regions), two subnets each (zone a, and a
 * or b), an IGW (attached or not), perhaps a NAT gateway in the first subnet, peerings between
 * random pairs, perhaps a transit gateway in us-east-1 with attachment subnets in zone a only,
 * random routes (default to IGW/NAT, other VPCs' blocks to a peering or the TGW), random custom
 * NACLs (numbered entries, allow/deny, ports that may or may not cover ephemeral ones), two
 * groups per VPC with random rules (CIDRs, references to either group), and instances with
 * random groups, state, EIPs and services. Built by the model's own builder.
 */
import fc from 'fast-check';
import { createVpcWorld, type NetworkAclInput, type RouteTableInput, type VpcWorldInput } from '../../../../src/model/vpc/build.ts';
import type { NaclEntry, Peering, RulePeer, TransitGateway, VpcRule, VpcSecurityGroup } from '../../../../src/model/vpc/types.ts';
import type { VpcInstanceSpec } from '../../../../src/model/vpc/lifecycle.ts';
import type { VpcWorld } from '../../../../src/model/vpc/world.ts';
import type { VpcFlow } from '../../../../src/fabric/path/vpc/plan.ts';
import type { PortRange } from '../../../../src/net/protocol.ts';

const cidr = (a: number, b: number, c: number, prefix: number) => ({ base: ((a << 24) | (b << 16) | (c << 8)) >>> 0, prefix });
const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

const PORTS: readonly (PortRange | undefined)[] = [undefined, { from: 22, to: 22 }, { from: 443, to: 443 }, { from: 1024, to: 65535 }, { from: 32768, to: 60999 }, { from: 0, to: 1023 }];
const portsArb = fc.constantFrom(...PORTS);
const protoArb = fc.constantFrom<'tcp' | 'all' | 'icmp' | 'udp'>('tcp', 'tcp', 'all', 'icmp', 'udp');

function naclEntriesArb(vpc: number): fc.Arbitrary<NaclEntry[]> {
  const entry = fc.record({
    action: fc.constantFrom<'allow' | 'deny'>('allow', 'allow', 'deny'),
    protocol: protoArb,
    ports: portsArb,
    cidr: fc.constantFrom(cidr(0, 0, 0, 0), cidr(10, 0, 0, 8), cidr(10, vpc, 0, 16), cidr(10, vpc, 1, 24)),
  });
  return fc.uniqueArray(fc.integer({ min: 1, max: 300 }), { maxLength: 4 }).chain((numbers) =>
    fc.tuple(...numbers.map(() => entry)).map((es) => es.map((e, i) => ({ number: numbers[i], action: e.action, protocol: e.protocol, cidr: e.cidr, ...(e.ports !== undefined && (e.protocol === 'tcp' || e.protocol === 'udp') ? { ports: e.ports } : {}) }))),
  );
}

function ruleArb(vpc: number): fc.Arbitrary<VpcRule> {
  const peer: fc.Arbitrary<RulePeer> = fc.oneof(
    fc.constantFrom(cidr(0, 0, 0, 0), cidr(10, 0, 0, 8), cidr(10, vpc, 0, 16), cidr(198, 51, 100, 24)).map((c) => ({ kind: 'cidr' as const, cidr: c })),
    fc.constantFrom(`g${vpc}a`, `g${vpc}b`).map((g) => ({ kind: 'group' as const, group: g })),
  );
  return fc.record({ protocol: protoArb, ports: portsArb, peer }).map((r) => ({ protocol: r.protocol, peer: r.peer, ...(r.ports !== undefined && (r.protocol === 'tcp' || r.protocol === 'udp') ? { ports: r.ports } : {}) }));
}

interface VpcPlan {
  region: string;
  zone2: string;
  igw: boolean;
  nat: boolean;
  routes: { defaultTo: 'igw' | 'nat' | 'none'; others: ('pcx' | 'tgw' | 'none')[] }[];
  nacls: (NaclEntry[][] | null)[];
  groups: { ingress: VpcRule[]; egress: VpcRule[] | null }[];
  instances: { subnet: number; group: number; running: boolean; eip: boolean; services: boolean }[];
}

function vpcPlanArb(v: number, count: number): fc.Arbitrary<VpcPlan> {
  return fc.record({
    region: fc.constantFrom('us-east-1', 'us-east-1', 'eu-west-1'),
    zone2: fc.constantFrom('a', 'b'),
    igw: fc.boolean(),
    nat: fc.boolean(),
    routes: fc.tuple(
      ...[0, 1].map(() =>
        fc.record({ defaultTo: fc.constantFrom<'igw' | 'nat' | 'none'>('igw', 'nat', 'none'), others: fc.array(fc.constantFrom<'pcx' | 'tgw' | 'none'>('pcx', 'tgw', 'none'), { minLength: count, maxLength: count }) }),
      ),
    ),
    nacls: fc.tuple(...[0, 1].map(() => fc.option(fc.tuple(naclEntriesArb(v), naclEntriesArb(v)), { nil: null }))),
    groups: fc.tuple(...[0, 1].map(() => fc.record({ ingress: fc.array(ruleArb(v), { maxLength: 3 }), egress: fc.option(fc.array(ruleArb(v), { maxLength: 2 }), { nil: null }) }))),
    instances: fc.array(fc.record({ subnet: fc.integer({ min: 0, max: 1 }), group: fc.integer({ min: 0, max: 1 }), running: fc.boolean(), eip: fc.boolean(), services: fc.boolean() }), { minLength: 1, maxLength: 3 }),
  }) as fc.Arbitrary<VpcPlan>;
}

export interface WorldCase {
  readonly input: VpcWorldInput;
  readonly world: VpcWorld;
  readonly instances: readonly string[];
}

export const worldArb: fc.Arbitrary<WorldCase> = fc.integer({ min: 2, max: 3 }).chain((count) =>
  fc
    .record({
      vpcs: fc.tuple(...Array.from({ length: count }, (_, v) => vpcPlanArb(v, count))),
      peerings: fc.subarray(count === 2 ? [[0, 1]] : [[0, 1], [1, 2], [0, 2]]),
      tgw: fc.boolean(),
      running: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
    })
    .map(({ vpcs, peerings, tgw, running }) => build(vpcs, peerings as number[][], tgw, running)),
);

function build(vpcs: VpcPlan[], pairs: number[][], withTgw: boolean, running: boolean[]): WorldCase {
  const input: {
    vpcs: VpcWorldInput['vpcs'][number][];
    subnets: VpcWorldInput['subnets'][number][];
    routeTables: RouteTableInput[];
    networkAcls: NetworkAclInput[];
    groups: VpcSecurityGroup[];
    instances: VpcInstanceSpec[];
    natGateways: { id: string; subnet: string; elasticIp: number }[];
    internetGateways: { id: string; vpc: string | null }[];
  } = { vpcs: [], subnets: [], routeTables: [], networkAcls: [], groups: [], instances: [], natGateways: [], internetGateways: [] };
  const peerings: Peering[] = pairs.map(([a, b]) => ({ id: `pcx-${a}${b}`, requester: `v${a}`, accepter: `v${b}`, status: 'active', dnsResolution: [] }));
  const peeringOf = (a: number, b: number) => peerings.find((p) => (p.requester === `v${a}` && p.accepter === `v${b}`) || (p.requester === `v${b}` && p.accepter === `v${a}`));
  const tgwVpcs = withTgw ? vpcs.map((p, v) => (p.region === 'us-east-1' ? v : -1)).filter((v) => v >= 0) : [];
  const names: string[] = [];
  let k = 0;
  vpcs.forEach((p, v) => {
    const id = `v${v}`;
    input.vpcs.push({ id, region: p.region, cidrs: [cidr(10, v, 0, 16)] });
    const zones = [`${p.region}a`, `${p.region}${p.zone2}`];
    for (let s = 0; s < 2; s++) input.subnets.push({ id: `${id}s${s}`, vpc: id, zone: zones[s], cidr: cidr(10, v, s + 1, 24), mapPublicIpOnLaunch: s === 0 });
    if (p.igw) input.internetGateways.push({ id: `igw-${v}`, vpc: id });
    if (p.nat) input.natGateways.push({ id: `nat-${v}`, subnet: `${id}s0`, elasticIp: ip(203, 0, 113, 100 + v) });
    for (let s = 0; s < 2; s++) {
      const r = p.routes[s];
      const routes: RouteTableInput['routes'][number][] = [];
      if (r.defaultTo === 'igw' && p.igw) routes.push({ destination: { kind: 'cidr', cidr: cidr(0, 0, 0, 0) }, target: { kind: 'igw', id: `igw-${v}` } });
      if (r.defaultTo === 'nat' && p.nat) routes.push({ destination: { kind: 'cidr', cidr: cidr(0, 0, 0, 0) }, target: { kind: 'nat', id: `nat-${v}` } });
      r.others.forEach((o, w) => {
        if (w === v) return;
        const pcx = peeringOf(v, w);
        if (o === 'pcx' && pcx !== undefined) routes.push({ destination: { kind: 'cidr', cidr: cidr(10, w, 0, 16) }, target: { kind: 'pcx', id: pcx.id } });
        if (o === 'tgw' && tgwVpcs.includes(v)) routes.push({ destination: { kind: 'cidr', cidr: cidr(10, w, 0, 16) }, target: { kind: 'tgw', id: 'tgw' } });
      });
      input.routeTables.push({ id: `${id}s${s}-rt`, vpc: id, subnets: [`${id}s${s}`], routes });
      const n = p.nacls[s];
      if (n !== null) input.networkAcls.push({ id: `${id}s${s}-acl`, vpc: id, subnets: [`${id}s${s}`], ingress: n[0], egress: n[1] });
    }
    p.groups.forEach((g, i) => {
      const key = `g${v}${i === 0 ? 'a' : 'b'}`;
      input.groups.push({ key, name: key, vpc: id, ingress: g.ingress, egress: g.egress ?? [{ protocol: 'all', peer: { kind: 'cidr', cidr: cidr(0, 0, 0, 0) } }] });
    });
    p.instances.forEach((inst, i) => {
      const name = `i${v}${i}`;
      names.push(name);
      input.instances.push({
        id: name,
        state: running[k++ % running.length] || inst.running ? 'running' : 'stopped',
        services: inst.services ? [{ protocol: 'tcp', ports: { from: 22, to: 22 } }, { protocol: 'tcp', ports: { from: 443, to: 443 } }] : [],
        interfaces: [{ id: `${name}-eni`, subnet: `${id}s${inst.subnet}`, privateIp: ip(10, v, inst.subnet + 1, 10 + i), groups: [`g${v}${inst.group === 0 ? 'a' : 'b'}`], ...(inst.eip ? { elasticIps: [{ ip: ip(198, 18, v, 10 + i) }] } : {}) }],
      });
    });
  });
  const transitGateways: TransitGateway[] = [];
  if (tgwVpcs.length > 0) {
    const attachments: TransitGateway['attachments'] = Object.fromEntries(
      tgwVpcs.map((v) => [`att-${v}`, { id: `att-${v}`, kind: 'vpc' as const, vpc: `v${v}`, subnets: [`v${v}s0`], routeTable: 'tgw-rt', propagate: ['tgw-rt'], dnsSupport: true, sgReferencing: false }]),
    );
    transitGateways.push({ id: 'tgw', region: 'us-east-1', dnsSupport: true, sgReferencing: false, routeTables: { 'tgw-rt': { id: 'tgw-rt', routes: [] } }, attachments });
  }
  const full: VpcWorldInput = {
    seed: 'props',
    ...input,
    peerings,
    transitGateways,
    external: [
      { name: 'client', ip: ip(198, 51, 100, 7), services: [] },
      { name: 'server', ip: ip(192, 0, 2, 80), services: [{ protocol: 'tcp', ports: { from: 443, to: 443 } }] },
    ],
  };
  return { input: full, world: createVpcWorld(full), instances: names };
}

/** A flow between hosts of the world: an instance, the client or the internet, to an instance (private or public) or the server. */
export function flowArb(c: WorldCase): fc.Arbitrary<VpcFlow> {
  const from = fc.constantFrom(...c.instances, ...c.instances, 'client', '203.0.113.200');
  const to = fc.oneof(
    fc.constantFrom(...c.instances).map((n) => `${n}.private`),
    fc.constantFrom(...c.instances).map((n) => `${n}.private`),
    fc.constantFrom('server', '198.18.0.10', '198.18.1.10', '203.0.113.100', '203.0.113.101', '10.0.1.10', '10.1.1.10', '10.2.1.10'),
  );
  return fc.record({ from, to, protocol: fc.constantFrom<'tcp' | 'icmp' | 'udp'>('tcp', 'tcp', 'icmp', 'udp'), port: fc.constantFrom(22, 443, 5432) });
}
