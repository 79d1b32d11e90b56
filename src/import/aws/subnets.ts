/**
 * import/aws/subnets: describe-subnets (`Subnets`) → `subnets`.
 *
 * Owns: `SubnetId`, `VpcId`, `CidrBlock`, `AvailabilityZone`, `MapPublicIpOnLaunch`, `State`
 * (only `available` subnets load), IPv6 blocks (warned), and the zones VPCs take their region from.
 */
import { z } from 'zod';
import { cidr, hostCidr, nameTag, tags } from './common.ts';
import { originOf, type ImportContext, type ResourceModule } from './context.ts';
import type { Draft } from './document.ts';

const subnet = z.looseObject({
  SubnetId: z.string(),
  VpcId: z.string(),
  CidrBlock: cidr,
  AvailabilityZone: z.string(),
  MapPublicIpOnLaunch: z.boolean().optional(),
  State: z.string().optional(),
  Ipv6CidrBlockAssociationSet: z.array(z.unknown()).optional(),
  Tags: tags,
});
export type Subnet = z.infer<typeof subnet>;
export const SUBNET = 'subnet';

export const subnetsModule: ResourceModule = {
  keys: { Subnets: z.array(subnet) },
  collect(_key, value, _file, at, ctx) {
    (value as Subnet[]).forEach((s, i) => ctx.store<Subnet>(SUBNET).add(s.SubnetId, s, originOf(at, `Subnets[${i}]`)));
  },
};

/** Writes every available subnet of a written VPC. */
export function emitSubnets(ctx: ImportContext, draft: Draft): void {
  for (const [id, { value: s, origin }] of ctx.store<Subnet>(SUBNET).entries()) {
    if (s.State !== undefined && s.State !== 'available') {
      ctx.warn(origin, 'subnet state', `subnet ${id} is ${s.State}: not loaded`, '.State');
      continue;
    }
    if (!draft.vpcs.has(s.VpcId)) {
      ctx.warn(origin, 'subnet of an unknown VPC', `subnet ${id} is in ${s.VpcId}, which no Vpcs file describes: not loaded`, '.VpcId');
      continue;
    }
    if ((s.Ipv6CidrBlockAssociationSet?.length ?? 0) > 0) ctx.warn(origin, 'IPv6', `subnet ${id}: IPv6 blocks are not modelled (IPv4 only)`, '.Ipv6CidrBlockAssociationSet');
    const label = nameTag(s.Tags);
    draft.subnets.set(id, {
      ...(label !== undefined && { label }),
      vpc: s.VpcId,
      zone: s.AvailabilityZone,
      cidr: hostCidr(s.CidrBlock) as string,
      ...(s.MapPublicIpOnLaunch === true && { mapPublicIp: true as const }),
    });
  }
}
