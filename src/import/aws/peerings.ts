/**
 * import/aws/peerings: describe-vpc-peering-connections (`VpcPeeringConnections`) → `peerings`.
 *
 * Owns: `Status.Code` (only `active` peerings load; routes to others become blackholes),
 * `Requester/AccepterVpcInfo.VpcId/OwnerId/Region/CidrBlockSet`, `PeeringOptions.
 * AllowDnsResolutionFromRemoteVpc` (→ `dnsResolution`), the stub VPC written for a peer no
 * Vpcs file describes (its blocks, region and account, no subnets), and the repeat of one
 * peering in both sides' files (merged without a warning).
 */
import { z } from 'zod';
import { cidr, hostCidr, nameTag, tags } from './common.ts';
import { originOf, type ImportContext, type ResourceModule } from './context.ts';
import type { Draft } from './document.ts';

const vpcInfo = z.looseObject({
  VpcId: z.string(),
  OwnerId: z.string().optional(),
  Region: z.string().optional(),
  CidrBlock: cidr.optional(),
  CidrBlockSet: z.array(z.looseObject({ CidrBlock: cidr })).optional(),
  PeeringOptions: z.looseObject({ AllowDnsResolutionFromRemoteVpc: z.boolean().optional() }).optional(),
});
type VpcInfo = z.infer<typeof vpcInfo>;
const peering = z.looseObject({
  VpcPeeringConnectionId: z.string(),
  Status: z.looseObject({ Code: z.string() }),
  RequesterVpcInfo: vpcInfo,
  AccepterVpcInfo: vpcInfo,
  Tags: tags,
});
type Peering = z.infer<typeof peering>;
const PEERING = 'peering';

export const peeringsModule: ResourceModule = {
  keys: { VpcPeeringConnections: z.array(peering) },
  collect(_key, value, _file, at, ctx) {
    const store = ctx.store<Peering>(PEERING);
    (value as Peering[]).forEach((p, i) => {
      const first = store.get(p.VpcPeeringConnectionId)?.value;
      // Each side's account (and region) lists the same peering, each knowing its own options.
      if (first && first.Status.Code === p.Status.Code && sameVpcs(first, p)) {
        fillIn(first.RequesterVpcInfo, p.RequesterVpcInfo);
        fillIn(first.AccepterVpcInfo, p.AccepterVpcInfo);
        return;
      }
      store.add(p.VpcPeeringConnectionId, p, originOf(at, `VpcPeeringConnections[${i}]`));
    });
  },
};

function sameVpcs(a: Peering, b: Peering): boolean {
  return a.RequesterVpcInfo.VpcId === b.RequesterVpcInfo.VpcId && a.AccepterVpcInfo.VpcId === b.AccepterVpcInfo.VpcId;
}

function fillIn(into: VpcInfo, from: VpcInfo): void {
  into.PeeringOptions ??= from.PeeringOptions;
  into.CidrBlockSet ??= from.CidrBlockSet;
  into.Region ??= from.Region;
  into.OwnerId ??= from.OwnerId;
}

function blocksOf(info: VpcInfo): string[] {
  const list = info.CidrBlockSet?.map((b) => b.CidrBlock) ?? (info.CidrBlock !== undefined ? [info.CidrBlock] : []);
  return [...new Set(list.map((b) => hostCidr(b) as string))];
}

/** Writes active peerings (and stub VPCs for peers no file describes). Runs after emitVpcs. */
export function emitPeerings(ctx: ImportContext, draft: Draft): void {
  for (const [id, { value: p, origin }] of ctx.store<Peering>(PEERING).entries()) {
    if (p.Status.Code !== 'active') {
      ctx.warn(origin, 'inactive peering', `peering ${id} is ${p.Status.Code}: not loaded (routes to it are blackholes)`, '.Status.Code');
      continue;
    }
    const sides = [p.RequesterVpcInfo, p.AccepterVpcInfo];
    let complete = true;
    for (const [k, side] of sides.entries()) {
      if (draft.vpcs.has(side.VpcId)) continue;
      const other = draft.vpcs.get(sides[1 - k].VpcId);
      const blocks = blocksOf(side);
      const region = side.Region ?? other?.region;
      if (blocks.length === 0 || region === undefined) {
        ctx.warn(origin, 'peer VPC unknown', `peering ${id}: VPC ${side.VpcId} is in no Vpcs file and the peering gives not its blocks and region: not loaded`);
        complete = false;
        break;
      }
      draft.vpcs.set(side.VpcId, {
        label: `peer of ${id}, not described`,
        region,
        ...(side.OwnerId !== undefined && { account: side.OwnerId }),
        cidr: blocks.length === 1 ? blocks[0] : blocks,
        dns: { support: true, hostnames: false },
      });
    }
    if (!complete) continue;
    // A side's AllowDnsResolutionFromRemoteVpc lets the other side's hosts resolve its names privately.
    const dnsResolution: string[] = [];
    if (p.AccepterVpcInfo.PeeringOptions?.AllowDnsResolutionFromRemoteVpc === true) dnsResolution.push(p.RequesterVpcInfo.VpcId);
    if (p.RequesterVpcInfo.PeeringOptions?.AllowDnsResolutionFromRemoteVpc === true) dnsResolution.push(p.AccepterVpcInfo.VpcId);
    const label = nameTag(p.Tags);
    draft.peerings.set(id, {
      ...(label !== undefined && { label }),
      requester: p.RequesterVpcInfo.VpcId,
      accepter: p.AccepterVpcInfo.VpcId,
      ...(dnsResolution.length > 0 && { dnsResolution: dnsResolution.sort() }),
    });
  }
}
