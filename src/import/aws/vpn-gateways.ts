/**
 * import/aws/vpn-gateways: describe-vpn-gateways (`VpnGateways`) → `vpnGateways`.
 *
 * Owns: `VpnGatewayId`, `State` (`available` loads), `VpcAttachments[].VpcId/State` (`attached`).
 * VPN connections and customer gateways behind it have no reader (warned as unmodelled).
 */
import { z } from 'zod';
import { labelled, tags } from './common.ts';
import { originOf, type ImportContext, type ResourceModule } from './context.ts';
import type { Draft } from './document.ts';

const vgw = z.looseObject({
  VpnGatewayId: z.string(),
  State: z.string().optional(),
  VpcAttachments: z.array(z.looseObject({ VpcId: z.string(), State: z.string().optional() })).optional(),
  Tags: tags,
});
type Vgw = z.infer<typeof vgw>;
const VGW = 'VPN gateway';

export const vpnGatewaysModule: ResourceModule = {
  keys: { VpnGateways: z.array(vgw) },
  collect(key, value, _file, at, ctx) {
    (value as Vgw[]).forEach((g, i) => ctx.store<Vgw>(VGW).add(g.VpnGatewayId, g, originOf(at, `${key}[${i}]`)));
  },
};

/** Writes each available gateway attached to a written VPC. */
export function emitVpnGateways(ctx: ImportContext, draft: Draft): void {
  for (const [id, { value: g, origin }] of ctx.store<Vgw>(VGW).entries()) {
    const vpc = (g.VpcAttachments ?? []).find((a) => a.State === 'attached')?.VpcId;
    if (g.State !== undefined && g.State !== 'available') ctx.warn(origin, 'gateway state', `VPN gateway ${id} is ${g.State}: not loaded`, '.State');
    else if (vpc === undefined) ctx.warn(origin, 'detached gateway', `VPN gateway ${id} is attached to no VPC: not loaded`, '.VpcAttachments');
    else if (!draft.vpcs.has(vpc)) ctx.warn(origin, 'gateway of an unknown VPC', `VPN gateway ${id} is attached to ${vpc}, which no Vpcs file describes: not loaded`, '.VpcAttachments');
    else draft.vpnGateways.set(id, labelled(g.Tags, { vpc }));
  }
}
