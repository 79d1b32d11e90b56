/**
 * scenario/vpc/network: the address plan and its gateways.
 *
 * Owns: `regions` (optional: when given, the zones VPCs and subnets may use), `vpcs` (region,
 * blocks /16-/28 not overlapping one another, DNS attributes, default, account), `subnets`
 * (zone of the VPC's region, /16-/28, inside one VPC block, no overlap in a VPC),
 * `prefixLists`, `internetGateways` and `vpnGateways` (one each per VPC), `natGateways` (in a
 * subnet, with an Elastic IP, a private IP that is the subnet's to give) and `peerings`
 * (two VPCs, no overlap unless deleted, one per pair, DNS resolution by the peering's VPCs).
 * Does not own: transit gateways (transit.ts), routing (routing.ts), hosts (hosts.ts).
 */
import { cidrContains, formatCidr, type Cidr } from '../../net/ipv4.ts';
import { describeValue, listOf } from '../schema.ts';
import { absent, entriesOf, type Path } from './checker.ts';
import { claimPrivate, claimPublic, checkPublic, subnetAddressProblem } from './addresses.ts';
import { reference, vpcField, type Ctx } from './context.ts';
import {
  DNS_FIELDS, IGW_FIELDS, NAT_FIELDS, PEERING_FIELDS, PREFIX_LIST_FIELDS, SUBNET_FIELDS, VPC_FIELDS,
} from './vocabulary.ts';
import type { PeeringStatus } from './spec.ts';

export function overlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b.base) || cidrContains(b, a.base);
}

function checkSize(ctx: Ctx, cidr: Cidr, path: Path, what: string): boolean {
  if (cidr.prefix < 16 || cidr.prefix > 28) {
    ctx.c.error(path, `${formatCidr(cidr)} is a /${cidr.prefix}; ${what} is between /16 and /28`);
    return false;
  }
  return true;
}

export function checkRegions(ctx: Ctx, v: unknown): void {
  if (absent(v)) return;
  const o = ctx.c.mapping(v, ['regions'], null, 'a mapping of region names to { zones }');
  if (!o) return;
  const regions = new Map<string, readonly string[]>();
  for (const [name, r] of Object.entries(o)) {
    const path = ['regions', name];
    let zones = [`${name}a`];
    if (!absent(r)) {
      const ro = ctx.c.mapping(r, path, ['zones'], 'a region ({ zones: [...] }, or {})');
      const list = ro && !absent(ro.zones) ? ctx.c.list(ro.zones, [...path, 'zones'], "the region's zones") : undefined;
      if (list) {
        zones = [];
        list.forEach((z, i) => {
          const zone = ctx.c.string(z, [...path, 'zones', i], 'a zone name');
          if (zone !== undefined && !zone.startsWith(name)) ctx.c.error([...path, 'zones', i], `zone "${zone}" is not named after region ${name} (zones are <region><letter>, e.g. ${name}a)`);
          else if (zone !== undefined) zones.push(zone);
        });
      }
    }
    regions.set(name, zones);
  }
  ctx.regions = regions;
}

export function checkVpcs(ctx: Ctx, v: unknown): void {
  const { c } = ctx;
  for (const [name, value] of entriesOf(v)) {
    if (ctx.names.get(name)?.kind !== 'vpc') continue;
    const path = ['vpcs', name];
    const o = c.mapping(value, path, VPC_FIELDS, 'a VPC ({ region, cidr, dns, default, account, label })');
    if (!o) continue;
    const before = c.count;
    let region: string | undefined;
    const r = c.required(o, 'region', path, 'the VPC\'s region, e.g. us-east-1');
    if (r !== undefined) {
      region = c.string(r, [...path, 'region'], 'a region name');
      if (region !== undefined && /\s|\//.test(region)) {
        c.error([...path, 'region'], `region name ${JSON.stringify(region)} may not hold spaces or "/"`);
        region = undefined;
      } else if (region !== undefined && ctx.regions && !ctx.regions.has(region)) {
        c.unknown([...path, 'region'], 'region', region, ctx.regions.keys());
        region = undefined;
      }
    }
    const cidrs: Cidr[] = [];
    const raw = c.required(o, 'cidr', path, 'the VPC\'s IPv4 block, or a list of blocks, e.g. 10.0.0.0/16');
    if (raw !== undefined) {
      const many = Array.isArray(raw);
      const list = many ? raw : [raw];
      if (many && list.length === 0) c.error([...path, 'cidr'], 'a VPC has at least one IPv4 block');
      list.forEach((b, i) => {
        const at = many ? [...path, 'cidr', i] : [...path, 'cidr'];
        const cidr = c.cidr(b, at, 'an IPv4 block');
        if (!cidr || !checkSize(ctx, cidr, at, 'a VPC block')) return;
        const clash = cidrs.findIndex((x) => overlaps(x, cidr));
        if (clash >= 0) {
          c.error(at, `${formatCidr(cidr)} overlaps the VPC's block ${formatCidr(cidrs[clash])} (a VPC's blocks do not overlap)`);
          return;
        }
        cidrs.push(cidr);
      });
    }
    const isDefault = c.boolean(o, 'default', path, false);
    let dns = { support: true, hostnames: isDefault };
    if (!absent(o.dns)) {
      const d = c.mapping(o.dns, [...path, 'dns'], DNS_FIELDS, 'DNS attributes ({ support, hostnames })');
      if (d) dns = { support: c.boolean(d, 'support', [...path, 'dns'], true), hostnames: c.boolean(d, 'hostnames', [...path, 'dns'], isDefault) };
    }
    let account: string | undefined;
    if (!absent(o.account)) {
      if (typeof o.account === 'number' && Number.isSafeInteger(o.account) && o.account >= 0) account = String(o.account).padStart(12, '0');
      else account = c.string(o.account, [...path, 'account'], 'an account id');
    }
    const label = c.text(o, 'label', path);
    if (c.count > before || region === undefined) continue;
    ctx.vpcs.set(name, { name, region, ...(account !== undefined ? { account } : {}), cidrs, dns, isDefault, ...(label !== undefined ? { label } : {}) });
  }
}

/** The zones of a region: declared ones, or any `<region><letter>`. */
function zoneProblem(ctx: Ctx, zone: string, region: string, vpc: string): string | undefined {
  const declared = ctx.regions?.get(region);
  if (declared) {
    return declared.includes(zone) ? undefined : `zone "${zone}" is not a zone of region ${region} (VPC ${vpc}'s region; its zones: ${listOf(declared)})`;
  }
  return new RegExp(`^${region.replace(/[-]/g, '\\-')}[a-z]$`).test(zone)
    ? undefined
    : `zone "${zone}" is not a zone of region ${region} (VPC ${vpc}'s region; its zones are ${region}a, ${region}b, …)`;
}

export function checkSubnets(ctx: Ctx, v: unknown): void {
  const { c } = ctx;
  const byVpc = new Map<string, { cidr: Cidr; name: string; order: number }[]>();
  let order = 0;
  for (const [name, value] of entriesOf(v)) {
    if (ctx.names.get(name)?.kind !== 'subnet') continue;
    const path = ['subnets', name];
    const o = c.mapping(value, path, SUBNET_FIELDS, 'a subnet ({ vpc, zone, cidr, mapPublicIp, label })');
    if (!o) continue;
    const before = c.count;
    const vpcName = vpcField(ctx, o, path);
    const vpc = vpcName === undefined ? undefined : ctx.vpcs.get(vpcName);
    let zone = vpc ? `${vpc.region}a` : undefined;
    if (!absent(o.zone)) {
      const z = c.string(o.zone, [...path, 'zone'], 'a zone name');
      const why = z !== undefined && vpc ? zoneProblem(ctx, z, vpc.region, vpc.name) : undefined;
      if (why) c.error([...path, 'zone'], why);
      zone = z;
    } else if (vpc && ctx.regions?.get(vpc.region) && !ctx.regions.get(vpc.region)!.includes(zone!)) {
      zone = ctx.regions.get(vpc.region)![0];
    }
    let cidr: Cidr | undefined;
    const raw = c.required(o, 'cidr', path, 'the subnet\'s block inside its VPC, e.g. 10.0.1.0/24');
    if (raw !== undefined) cidr = c.cidr(raw, [...path, 'cidr']);
    if (cidr && checkSize(ctx, cidr, [...path, 'cidr'], 'a subnet block') && vpc) {
      const inside = vpc.cidrs.some((b) => b.prefix <= cidr!.prefix && cidrContains(b, cidr!.base));
      if (!inside) c.error([...path, 'cidr'], `${formatCidr(cidr)} is not inside a block of VPC ${vpc.name} (${vpc.cidrs.map(formatCidr).join(', ')})`);
      else {
        let list = byVpc.get(vpc.name);
        if (!list) byVpc.set(vpc.name, (list = []));
        list.push({ cidr, name, order: order++ });
      }
    }
    const mapPublicIp = c.boolean(o, 'mapPublicIp', path, false);
    const label = c.text(o, 'label', path);
    if (c.count > before || !vpc || !cidr || zone === undefined) continue;
    ctx.subnets.set(name, { name, vpc: vpc.name, zone, cidr, mapPublicIp, ...(label !== undefined ? { label } : {}) });
  }
  // Overlaps: sorted by base, a block overlaps an earlier one iff it starts before the widest
  // end so far. The one later in the file is reported, naming the earliest it overlaps.
  for (const list of byVpc.values()) {
    const sorted = [...list].sort((a, b) => a.cidr.base - b.cidr.base || a.cidr.prefix - b.cidr.prefix);
    const clashes = new Map<string, { name: string; cidr: Cidr }>();
    let widest: (typeof list)[number] | undefined;
    for (const s of sorted) {
      if (widest && s.cidr.base <= lastOf(widest.cidr)) {
        const [late, early] = s.order > widest.order ? [s, widest] : [widest, s];
        if (!clashes.has(late.name)) clashes.set(late.name, early);
      }
      if (!widest || lastOf(s.cidr) > lastOf(widest.cidr)) widest = s;
    }
    for (const s of list) {
      const early = clashes.get(s.name);
      if (!early) continue;
      c.error(['subnets', s.name, 'cidr'], `${formatCidr(s.cidr)} overlaps subnet ${early.name} (${formatCidr(early.cidr)}); subnets of a VPC do not overlap`);
      ctx.subnets.delete(s.name);
    }
  }
}

function lastOf(cidr: Cidr): number {
  return cidr.base + 2 ** (32 - cidr.prefix) - 1;
}

export function checkPrefixLists(ctx: Ctx, v: unknown): void {
  const { c } = ctx;
  for (const [name, value] of entriesOf(v)) {
    if (ctx.names.get(name)?.kind !== 'prefix list') continue;
    const path = ['prefixLists', name];
    let list: unknown[] | undefined;
    let listPath: Path = path;
    let label: string | undefined;
    if (Array.isArray(value)) list = value;
    else {
      const o = c.mapping(value, path, PREFIX_LIST_FIELDS, 'a prefix list (a list of CIDR blocks, or { cidrs, label })');
      if (!o) continue;
      label = c.text(o, 'label', path);
      listPath = [...path, 'cidrs'];
      list = absent(o.cidrs) ? [] : c.list(o.cidrs, listPath, 'CIDR blocks');
    }
    if (!list) continue;
    const before = c.count;
    const cidrs: Cidr[] = [];
    list.forEach((b, i) => {
      const cidr = c.cidr(b, [...listPath, i]);
      if (!cidr) return;
      if (cidrs.some((x) => x.base === cidr.base && x.prefix === cidr.prefix)) c.error([...listPath, i], `${formatCidr(cidr)} is listed twice`);
      else cidrs.push(cidr);
    });
    if (c.count === before) ctx.prefixLists.set(name, { name, cidrs, ...(label !== undefined ? { label } : {}) });
  }
}

/** Internet gateways or VPN gateways: attached to one VPC each, one of each kind per VPC. */
export function checkVpcGateways(ctx: Ctx, v: unknown, section: 'internetGateways' | 'vpnGateways'): void {
  const { c } = ctx;
  const kind = section === 'internetGateways' ? 'internet gateway' : 'VPN gateway';
  const target = section === 'internetGateways' ? ctx.igws : ctx.vgws;
  const byVpc = new Map<string, string>();
  for (const [name, value] of entriesOf(v)) {
    if (ctx.names.get(name)?.kind !== kind) continue;
    const path = [section, name];
    const o = c.mapping(value, path, IGW_FIELDS, `${kind === 'internet gateway' ? 'an' : 'a'} ${kind} ({ vpc, label })`);
    if (!o) continue;
    const before = c.count;
    const vpc = vpcField(ctx, o, path);
    const label = c.text(o, 'label', path);
    if (vpc !== undefined && byVpc.has(vpc)) {
      c.error(absent(o.vpc) ? path : [...path, 'vpc'], `VPC ${vpc} already has ${kind === 'internet gateway' ? 'an' : 'a'} ${kind}, ${byVpc.get(vpc)} (one per VPC)`);
      continue;
    }
    if (c.count > before || vpc === undefined) continue;
    byVpc.set(vpc, name);
    target.set(name, { name, vpc, ...(label !== undefined ? { label } : {}) });
  }
}

export function checkNatGateways(ctx: Ctx, v: unknown): void {
  const { c } = ctx;
  for (const [name, value] of entriesOf(v)) {
    if (ctx.names.get(name)?.kind !== 'NAT gateway') continue;
    const path = ['natGateways', name];
    const o = c.mapping(value, path, NAT_FIELDS, 'a NAT gateway ({ subnet, elasticIp, privateIp, label })');
    if (!o) continue;
    const before = c.count;
    const raw = c.required(o, 'subnet', path, 'the subnet the NAT gateway sits in');
    const subnetName = raw === undefined ? undefined : reference(ctx, raw, [...path, 'subnet'], ['subnet'], 'subnet');
    const subnet = subnetName === undefined ? undefined : ctx.subnets.get(subnetName);
    const eipRaw = c.required(o, 'elasticIp', path, 'the Elastic IP of a public NAT gateway');
    const elasticIp = eipRaw === undefined ? undefined : c.ip(eipRaw, [...path, 'elasticIp'], 'an Elastic IP');
    if (elasticIp !== undefined && checkPublic(ctx, elasticIp, [...path, 'elasticIp'], 'an Elastic IP')) {
      claimPublic(ctx, elasticIp, { owner: name, what: 'Elastic IP', path: [...path, 'elasticIp'], eip: 'nat' });
    }
    let privateIp: number | undefined;
    if (!absent(o.privateIp)) {
      privateIp = c.ip(o.privateIp, [...path, 'privateIp'], 'a private IP');
      const why = privateIp !== undefined && subnet ? subnetAddressProblem(privateIp, subnet) : undefined;
      if (why) c.error([...path, 'privateIp'], why);
      else if (privateIp !== undefined && subnet) claimPrivate(ctx, subnet.vpc, privateIp, { owner: name, what: 'private IP', path: [...path, 'privateIp'] });
    }
    const label = c.text(o, 'label', path);
    if (c.count > before || !subnet || elasticIp === undefined) continue;
    ctx.nats.set(name, {
      name, subnet: subnet.name, vpc: subnet.vpc, elasticIp,
      ...(privateIp !== undefined ? { privateIp } : {}), ...(label !== undefined ? { label } : {}),
    });
  }
}

const STATUSES: readonly PeeringStatus[] = ['active', 'pending', 'deleted'];

export function checkPeerings(ctx: Ctx, v: unknown): void {
  const { c } = ctx;
  const pairs = new Map<string, string>();
  for (const [name, value] of entriesOf(v)) {
    if (ctx.names.get(name)?.kind !== 'peering') continue;
    const path = ['peerings', name];
    const o = c.mapping(value, path, PEERING_FIELDS, 'a peering ({ requester, accepter, status, dnsResolution, label })');
    if (!o) continue;
    const before = c.count;
    const side = (field: 'requester' | 'accepter'): string | undefined => {
      const raw = c.required(o, field, path, `the ${field} VPC`);
      const n = raw === undefined ? undefined : reference(ctx, raw, [...path, field], ['vpc'], 'vpc');
      return n !== undefined && ctx.vpcs.has(n) ? n : undefined;
    };
    const requester = side('requester');
    const accepter = side('accepter');
    let status: PeeringStatus = 'active';
    if (!absent(o.status)) {
      if ((STATUSES as readonly unknown[]).includes(o.status)) status = o.status as PeeringStatus;
      else c.error([...path, 'status'], `unknown status ${describeValue(o.status)} (expected active, pending or deleted)`);
    }
    if (requester !== undefined && requester === accepter) c.error([...path, 'accepter'], `a peering connects two VPCs; requester and accepter are both ${requester}`);
    else if (requester !== undefined && accepter !== undefined && status !== 'deleted') {
      const a = ctx.vpcs.get(requester)!;
      const b = ctx.vpcs.get(accepter)!;
      const clash = a.cidrs.flatMap((x) => b.cidrs.filter((y) => overlaps(x, y)).map((y) => [x, y] as const))[0];
      const key = [requester, accepter].sort().join('\u0000');
      if (clash) {
        c.error([...path, 'accepter'], `VPC ${requester}'s block ${formatCidr(clash[0])} overlaps VPC ${accepter}'s block ${formatCidr(clash[1])}; peered VPCs' blocks do not overlap`);
      } else if (pairs.has(key)) {
        c.error(path, `VPCs ${requester} and ${accepter} are already peered by ${pairs.get(key)} (at most one peering per pair of VPCs)`);
      } else pairs.set(key, name);
    }
    const dnsResolution: string[] = [];
    if (!absent(o.dnsResolution)) {
      const list = c.list(o.dnsResolution, [...path, 'dnsResolution'], "the peering's VPCs that resolve the other's names privately");
      list?.forEach((x, i) => {
        const at = [...path, 'dnsResolution', i];
        const n = c.string(x, at, 'a VPC name');
        if (n === undefined) return;
        if (n !== requester && n !== accepter) {
          c.error(at, `"${n}" is not one of the peering's VPCs (${[requester, accepter].filter((s) => s !== undefined).join(' and ') || 'its requester and accepter'})`);
        } else if (dnsResolution.includes(n)) c.error(at, `${n} is listed twice`);
        else dnsResolution.push(n);
      });
    }
    const label = c.text(o, 'label', path);
    if (c.count > before || requester === undefined || accepter === undefined) continue;
    ctx.peerings.set(name, {
      name, requester, accepter, status, dnsResolution,
      crossRegion: ctx.vpcs.get(requester)!.region !== ctx.vpcs.get(accepter)!.region,
      ...(label !== undefined ? { label } : {}),
    });
  }
}

