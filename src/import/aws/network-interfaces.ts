/**
 * import/aws/network-interfaces: describe-network-interfaces (`NetworkInterfaces`), the
 * authoritative source of an instance's ENIs (instances.ts reads them by attachment), and the
 * ENI fields both it and describe-instances' embedded `NetworkInterfaces[]` share.
 *
 * Owns: the ENI schema (`NetworkInterfaceId`, `SubnetId`, `Groups[]`, `SourceDestCheck`,
 * `InterfaceType`, `Attachment.InstanceId/DeviceIndex`, `PrivateIpAddresses[].PrivateIpAddress/
 * Primary/Association.PublicIp/IpOwnerId`), turning one ENI into the scenario's interface fields
 * (`IpOwnerId: amazon` → `publicIp`, another owner → `elasticIp`), and the warning for ENIs no
 * loaded instance holds (NAT gateway and transit gateway ENIs are their gateways', not warned).
 */
import { z } from 'zod';
import { parseCidr, parseIp } from '../../net/ipv4.ts';
import { ipv4, tags } from './common.ts';
import { originOf, type ImportContext, type Origin, type ResourceModule } from './context.ts';
import type { Draft, InterfaceFields } from './document.ts';

export const eni = z.looseObject({
  NetworkInterfaceId: z.string(),
  SubnetId: z.string().optional(),
  InterfaceType: z.string().optional(),
  SourceDestCheck: z.boolean().optional(),
  Groups: z.array(z.looseObject({ GroupId: z.string() })).optional(),
  Attachment: z.looseObject({ InstanceId: z.string().optional(), DeviceIndex: z.number().int().optional() }).nullish(),
  PrivateIpAddress: ipv4.optional(),
  PrivateIpAddresses: z
    .array(
      z.looseObject({
        PrivateIpAddress: ipv4,
        Primary: z.boolean().optional(),
        Association: z.looseObject({ PublicIp: ipv4.optional(), IpOwnerId: z.string().optional() }).nullish(),
      }),
    )
    .optional(),
  Ipv6Addresses: z.array(z.unknown()).optional(),
  TagSet: tags,
});
export type Eni = z.infer<typeof eni>;
export const ENI = 'network interface';

export const networkInterfacesModule: ResourceModule = {
  keys: { NetworkInterfaces: z.array(eni) },
  collect(key, value, _file, at, ctx) {
    (value as Eni[]).forEach((e, i) => ctx.store<Eni>(ENI).add(e.NetworkInterfaceId, e, originOf(at, `${key}[${i}]`)));
  },
};

/** What an instance says of itself, for an ENI it does not list. */
export interface InstanceDefaults {
  subnet?: string;
  privateIp?: string;
  groups?: string[];
}

/** Private IPs already held, by VPC (ENIs written so far and NAT gateways). */
export type HeldAddresses = Map<string, Set<string>>;

/**
 * Why a private IP cannot be an ENI's in `subnetCidr`, or null: outside the block, one of the
 * five AWS reserves (network, +1 router, +2 DNS, +3, last) or held already. Real accounts never
 * have these; sanitised demos (CloudMapper's 10.0.0.1) do.
 */
function addressProblem(ip: string, subnetCidr: string, held: ReadonlySet<string>): string | null {
  const block = parseCidr(subnetCidr);
  const addr = parseIp(ip);
  if ('error' in block || typeof addr !== 'number') return null;
  const size = 2 ** (32 - block.prefix);
  const offset = addr - block.base;
  if (offset < 0 || offset >= size) return `is outside its subnet's block ${subnetCidr}`;
  if (offset <= 3 || offset === size - 1) return `is reserved by AWS in ${subnetCidr} (the first four addresses and the last)`;
  if (held.has(ip)) return 'is held by another interface of the VPC';
  return null;
}

/**
 * One ENI as a scenario interface, or null (warned) when its subnet is not loaded. `primary`:
 * device 0, the only one that may carry an automatic public IP. A private IP no ENI can hold is
 * warned and left out (a primary one: sgsim assigns one from the seed).
 */
export function interfaceFields(
  e: Eni,
  defaults: InstanceDefaults,
  primary: boolean,
  ctx: ImportContext,
  draft: Draft,
  origin: Origin,
  heldByVpc: HeldAddresses,
): InterfaceFields | null {
  const subnet = e.SubnetId ?? defaults.subnet;
  if (subnet === undefined || !draft.subnets.has(subnet)) {
    ctx.warn(origin, 'interface of an unknown subnet', `${e.NetworkInterfaceId} is in ${subnet ?? 'no subnet'}, which no Subnets file describes: not loaded`);
    return null;
  }
  const ips = e.PrivateIpAddresses ?? (e.PrivateIpAddress ?? defaults.privateIp ? [{ PrivateIpAddress: (e.PrivateIpAddress ?? defaults.privateIp) as string, Primary: true }] : []);
  const main = ips.find((p) => p.Primary === true) ?? ips[0];
  if (main === undefined) {
    ctx.warn(origin, 'interface without address', `${e.NetworkInterfaceId} has no private IP: not loaded`);
    return null;
  }
  const sub = draft.subnets.get(subnet);
  const held = heldByVpc.get(sub?.vpc ?? '') ?? new Set<string>();
  heldByVpc.set(sub?.vpc ?? '', held);
  const usable = new Set<string>();
  for (const p of ips) {
    const problem = sub ? addressProblem(p.PrivateIpAddress, sub.cidr, held) : null;
    if (problem === null) {
      usable.add(p.PrivateIpAddress);
      held.add(p.PrivateIpAddress);
    } else ctx.warn(origin, 'impossible private IP', `${e.NetworkInterfaceId}: ${p.PrivateIpAddress} ${problem}: left out${p === main ? ' (sgsim assigns the interface one)' : ''}`);
  }
  const groups: string[] = [];
  for (const g of e.Groups?.map((x) => x.GroupId) ?? defaults.groups ?? []) {
    if (draft.groups.has(g)) groups.push(g);
    else ctx.warn(origin, 'unknown group', `${e.NetworkInterfaceId} carries group ${g}, which is not loaded: left out`);
  }
  if (groups.length === 0) {
    ctx.warn(origin, 'interface without groups', `${e.NetworkInterfaceId}: none of its groups is loaded (an instance's ENI has at least one): not loaded`);
    return null;
  }
  let publicIp: string | undefined;
  const eips: { ip: string; privateIp: string }[] = [];
  for (const p of ips) {
    const ip = p.Association?.PublicIp;
    if (ip === undefined) continue;
    if (p.Association?.IpOwnerId === 'amazon') {
      if (p === main && primary) publicIp = ip;
      else ctx.warn(origin, 'public IP off eth0', `${e.NetworkInterfaceId}: an automatic public IP (${ip}) off the primary address of eth0 is not modelled`);
    } else eips.push({ ip, privateIp: p.PrivateIpAddress });
  }
  if (eips.length > 1) ctx.warn(origin, 'several Elastic IPs', `${e.NetworkInterfaceId} holds ${eips.length} Elastic IPs: only the first is modelled`);
  if ((e.Ipv6Addresses?.length ?? 0) > 0) ctx.warn(origin, 'IPv6', `${e.NetworkInterfaceId}: IPv6 addresses are not modelled`, '.Ipv6Addresses');
  const secondary = ips.filter((p) => p !== main && usable.has(p.PrivateIpAddress)).map((p) => p.PrivateIpAddress);
  const eip = eips.find((x) => usable.has(x.privateIp));
  const eipOnMain = eip !== undefined && eip.privateIp === main.PrivateIpAddress;
  return {
    subnet,
    groups,
    ...(usable.has(main.PrivateIpAddress) && { privateIp: main.PrivateIpAddress }),
    ...(secondary.length > 0 && { secondaryIps: secondary }),
    ...(primary && !eipOnMain && { publicIp: publicIp ?? 'none' }),
    ...(eip !== undefined && { elasticIp: eipOnMain ? eip.ip : eip }),
    ...(e.SourceDestCheck === false && { sourceDestCheck: false as const }),
  };
}

/** Warns of each ENI in a NetworkInterfaces file that no instance holds. `held`: ENI ids of instances. */
export function warnUnheldInterfaces(ctx: ImportContext, held: ReadonlySet<string>): void {
  for (const [id, { value: e, origin }] of ctx.store<Eni>(ENI).entries()) {
    if (held.has(id)) continue;
    const type = e.InterfaceType ?? 'interface';
    if (type === 'nat_gateway' || type === 'transit_gateway') continue; // modelled as their gateway or attachment
    const owner = e.Attachment?.InstanceId;
    ctx.warn(
      origin,
      `other interface (${type})`,
      owner !== undefined
        ? `${id} is attached to ${owner}, which no Reservations file describes: not modelled`
        : `${id} (${type}) belongs to no instance: not modelled (endpoints, load balancers, Lambda and detached ENIs are not simulated)`,
    );
  }
}
