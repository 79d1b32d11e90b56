/**
 * import/aws/internet-gateways: describe-internet-gateways (`InternetGateways`) → `internetGateways`.
 *
 * Owns: `InternetGatewayId`, `Attachments[].VpcId/State` (an attached gateway loads; AWS says
 * `available` for attached). Egress-only IGWs are IPv6 and have no reader (warned as unmodelled).
 */
import { z } from 'zod';
import { labelled, tags } from './common.ts';
import { originOf, type ImportContext, type ResourceModule } from './context.ts';
import type { Draft } from './document.ts';

const igw = z.looseObject({
  InternetGatewayId: z.string(),
  Attachments: z.array(z.looseObject({ VpcId: z.string(), State: z.string().optional() })).optional(),
  Tags: tags,
});
type Igw = z.infer<typeof igw>;
const IGW = 'internet gateway';
const ATTACHED = new Set(['available', 'attached']);

export const internetGatewaysModule: ResourceModule = {
  keys: { InternetGateways: z.array(igw) },
  collect(key, value, _file, at, ctx) {
    (value as Igw[]).forEach((g, i) => ctx.store<Igw>(IGW).add(g.InternetGatewayId, g, originOf(at, `${key}[${i}]`)));
  },
};

/** Writes each gateway attached to a written VPC. */
export function emitInternetGateways(ctx: ImportContext, draft: Draft): void {
  for (const [id, { value: g, origin }] of ctx.store<Igw>(IGW).entries()) {
    const vpc = (g.Attachments ?? []).find((a) => a.State === undefined || ATTACHED.has(a.State))?.VpcId;
    if (vpc === undefined) ctx.warn(origin, 'detached gateway', `internet gateway ${id} is attached to no VPC: not loaded`, '.Attachments');
    else if (!draft.vpcs.has(vpc)) ctx.warn(origin, 'gateway of an unknown VPC', `internet gateway ${id} is attached to ${vpc}, which no Vpcs file describes: not loaded`, '.Attachments');
    else draft.internetGateways.set(id, labelled(g.Tags, { vpc }));
  }
}
