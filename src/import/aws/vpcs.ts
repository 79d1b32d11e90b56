/**
 * import/aws/vpcs: describe-vpcs (`Vpcs`) and describe-vpc-attribute (`EnableDnsSupport`,
 * `EnableDnsHostnames` beside `VpcId`) → `vpcs`.
 *
 * Owns: `VpcId`, `OwnerId`, `CidrBlockAssociationSet` (associated blocks; `CidrBlock` when the
 * set is missing), `IsDefault`, the DNS attributes (AWS's defaults from `IsDefault`, warned, when
 * no describe-vpc-attribute file says), and each VPC's region and account: the folder's, else
 * its subnets' zones, else `--region` (else a warning and us-east-1).
 */
import { z } from 'zod';
import { cidr, hostCidr, nameTag, regionOfZone, tags } from './common.ts';
import { originOf, type ImportContext, type ResourceModule } from './context.ts';
import type { Draft } from './document.ts';
import { SUBNET, type Subnet } from './subnets.ts';

const vpc = z.looseObject({
  VpcId: z.string(),
  OwnerId: z.string().optional(),
  CidrBlock: cidr.optional(),
  CidrBlockAssociationSet: z.array(z.looseObject({ CidrBlock: cidr, CidrBlockState: z.looseObject({ State: z.string() }).optional() })).optional(),
  Ipv6CidrBlockAssociationSet: z.array(z.unknown()).optional(),
  IsDefault: z.boolean().optional(),
  State: z.string().optional(),
  Tags: tags,
});
type Vpc = z.infer<typeof vpc>;
const attribute = z.looseObject({ Value: z.boolean() });

const VPC = 'vpc';
const DNS = 'vpc dns attributes';
interface DnsAttributes {
  support?: boolean;
  hostnames?: boolean;
}

export const vpcsModule: ResourceModule = {
  keys: { Vpcs: z.array(vpc), EnableDnsSupport: attribute, EnableDnsHostnames: attribute },
  companions: ['VpcId'],
  collect(key, value, file, at, ctx) {
    if (key === 'Vpcs') {
      (value as Vpc[]).forEach((v, i) => ctx.store<Vpc>(VPC).add(v.VpcId, v, originOf(at, `Vpcs[${i}]`)));
      return;
    }
    const vpcId = file.VpcId;
    if (typeof vpcId !== 'string') {
      ctx.warn(originOf(at, key), 'VPC attribute without VpcId', `${key} without a VpcId beside it: ignored`);
      return;
    }
    const store = ctx.store<DnsAttributes>(DNS);
    const known = store.get(vpcId)?.value ?? {};
    const flag = (value as { Value: boolean }).Value;
    const next = key === 'EnableDnsSupport' ? { ...known, support: flag } : { ...known, hostnames: flag };
    if (store.has(vpcId)) Object.assign(known, next);
    else store.add(vpcId, next, originOf(at, key));
  },
};

/** Writes every VPC (the ones in `pending` too: AWS lists only what exists). */
export function emitVpcs(ctx: ImportContext, draft: Draft): void {
  const zones = new Map<string, string[]>();
  for (const [, { value: s }] of ctx.store<Subnet>(SUBNET).entries()) {
    const list = zones.get(s.VpcId) ?? [];
    list.push(s.AvailabilityZone);
    zones.set(s.VpcId, list);
  }
  for (const [id, { value: v, origin }] of ctx.store<Vpc>(VPC).entries()) {
    const blocks = (v.CidrBlockAssociationSet ?? [])
      .filter((b) => b.CidrBlockState === undefined || b.CidrBlockState.State === 'associated')
      .map((b) => hostCidr(b.CidrBlock) as string);
    if (blocks.length === 0 && v.CidrBlock !== undefined) blocks.push(hostCidr(v.CidrBlock) as string);
    if (blocks.length === 0) {
      ctx.warn(origin, 'VPC without blocks', `VPC ${id} has no associated IPv4 block: not loaded`, '.CidrBlockAssociationSet');
      continue;
    }
    if ((v.Ipv6CidrBlockAssociationSet?.length ?? 0) > 0) ctx.warn(origin, 'IPv6', `VPC ${id}: IPv6 blocks are not modelled (IPv4 only)`, '.Ipv6CidrBlockAssociationSet');
    const region = origin.region ?? regionFromZones(zones.get(id)) ?? fallbackRegion(ctx, origin, `VPC ${id}`);
    const account = origin.account ?? v.OwnerId;
    const attrs = ctx.store<DnsAttributes>(DNS).get(id)?.value ?? {};
    const isDefault = v.IsDefault === true;
    if (attrs.support === undefined || attrs.hostnames === undefined) {
      ctx.warn(
        origin,
        'DNS attributes',
        `no describe-vpc-attribute file gives VPC ${id}'s DNS attributes: AWS's defaults for a ${isDefault ? 'default' : 'non-default'} VPC (support on, hostnames ${isDefault ? 'on' : 'off'})`,
      );
    }
    const label = nameTag(v.Tags);
    draft.vpcs.set(id, {
      ...(label !== undefined && { label }),
      region,
      ...(account !== undefined && { account }),
      cidr: blocks.length === 1 ? blocks[0] : blocks,
      ...(isDefault && { default: true as const }),
      dns: { support: attrs.support ?? true, hostnames: attrs.hostnames ?? isDefault },
    });
  }
}

function regionFromZones(list: readonly string[] | undefined): string | undefined {
  return list?.map(regionOfZone).find((r) => r !== undefined);
}

/** `--region`, else us-east-1 with a warning: the region of something no folder or zone places. */
export function fallbackRegion(ctx: ImportContext, origin: { file: string; path: string }, what: string): string {
  if (ctx.options.region !== undefined) return ctx.options.region;
  ctx.warnings.add(origin.file, origin.path, 'region unknown', `no <region>/ folder or subnet zone gives the region of ${what}: us-east-1 assumed (pass --region)`);
  return 'us-east-1';
}
