/**
 * import/aws/nat-gateways: describe-nat-gateways (`NatGateways`) → `natGateways`.
 *
 * Owns: `NatGatewayId`, `SubnetId`, `State` (`available` loads; routes to others are
 * blackholes), `ConnectivityType` (private NAT gateways are not modelled), and
 * `NatGatewayAddresses[].PublicIp/PrivateIp` (the first pair; more are warned).
 */
import { z } from 'zod';
import { ipv4, labelled, tags } from './common.ts';
import { originOf, type ImportContext, type ResourceModule } from './context.ts';
import type { Draft } from './document.ts';

const nat = z.looseObject({
  NatGatewayId: z.string(),
  SubnetId: z.string(),
  State: z.string().optional(),
  ConnectivityType: z.string().optional(),
  NatGatewayAddresses: z.array(z.looseObject({ PublicIp: ipv4.optional(), PrivateIp: ipv4.optional() })).optional(),
  Tags: tags,
});
type Nat = z.infer<typeof nat>;
const NAT = 'NAT gateway';

export const natGatewaysModule: ResourceModule = {
  keys: { NatGateways: z.array(nat) },
  collect(key, value, _file, at, ctx) {
    (value as Nat[]).forEach((g, i) => ctx.store<Nat>(NAT).add(g.NatGatewayId, g, originOf(at, `${key}[${i}]`)));
  },
};

/** Writes each available public NAT gateway of a written subnet. Runs after emitSubnets. */
export function emitNatGateways(ctx: ImportContext, draft: Draft): void {
  for (const [id, { value: g, origin }] of ctx.store<Nat>(NAT).entries()) {
    if (g.State !== undefined && g.State !== 'available') {
      ctx.warn(origin, 'gateway state', `NAT gateway ${id} is ${g.State}: not loaded (routes to it are blackholes)`, '.State');
      continue;
    }
    if (g.ConnectivityType === 'private') {
      ctx.warn(origin, 'private NAT gateway', `NAT gateway ${id} is a private NAT gateway: not modelled`, '.ConnectivityType');
      continue;
    }
    if (!draft.subnets.has(g.SubnetId)) {
      ctx.warn(origin, 'gateway of an unknown subnet', `NAT gateway ${id} is in ${g.SubnetId}, which no Subnets file describes: not loaded`, '.SubnetId');
      continue;
    }
    const addresses = g.NatGatewayAddresses ?? [];
    const first = addresses[0];
    if (first?.PublicIp === undefined) {
      ctx.warn(origin, 'NAT gateway without address', `NAT gateway ${id} has no Elastic IP: not loaded`, '.NatGatewayAddresses');
      continue;
    }
    if (addresses.length > 1) ctx.warn(origin, 'NAT gateway addresses', `NAT gateway ${id} has ${addresses.length} addresses: only the first is modelled`, '.NatGatewayAddresses');
    draft.natGateways.set(id, labelled(g.Tags, { subnet: g.SubnetId, elasticIp: first.PublicIp, ...(first.PrivateIp !== undefined && { privateIp: first.PrivateIp }) }));
  }
}
