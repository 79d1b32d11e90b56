/**
 * import/aws/security-groups: describe-security-groups (`SecurityGroups`) → `groups`.
 *
 * Owns: `GroupId`, `GroupName` (the label), `Description`, `VpcId`, `IpPermissions[]` / `IpPermissionsEgress[]`
 * — one rule per `IpRanges`, `UserIdGroupPairs` and `PrefixListIds` item, `IpProtocol`, ports as
 * Batfish's IpPermissions reads them (`FromPort -1` = 0, `ToPort -1` = 65535; ICMP type and
 * code, a code under type -1 matches nothing and is warned; ports of other protocols ignored,
 * as AWS documents) — and stale references: a group no file describes, or one beyond the VPC,
 * its active same-region peers and (ingress) its referencing transit gateways.
 * `Ipv6Ranges` are warned.
 */
import { z } from 'zod';
import { cidr, hostCidr, portsText, protocol, protocolName, tags } from './common.ts';
import { originOf, type ImportContext, type Origin, type ResourceModule } from './context.ts';
import type { Draft, PeerDoc, RuleDoc } from './document.ts';
import { referencingGroups } from './transit-gateways.ts';

const described = { Description: z.string().optional() };
const permission = z.looseObject({
  IpProtocol: protocol,
  FromPort: z.number().int().optional(),
  ToPort: z.number().int().optional(),
  IpRanges: z.array(z.looseObject({ CidrIp: cidr, ...described })).optional(),
  Ipv6Ranges: z.array(z.unknown()).optional(),
  PrefixListIds: z.array(z.looseObject({ PrefixListId: z.string(), ...described })).optional(),
  UserIdGroupPairs: z.array(z.looseObject({ GroupId: z.string().optional(), GroupName: z.string().optional(), UserId: z.string().optional(), ...described })).optional(),
});
type Permission = z.infer<typeof permission>;
const group = z.looseObject({
  GroupId: z.string(),
  GroupName: z.string().optional(),
  Description: z.string().optional(),
  VpcId: z.string().optional(),
  IpPermissions: z.array(permission).optional(),
  IpPermissionsEgress: z.array(permission).optional(),
  Tags: tags,
});
type Group = z.infer<typeof group>;
const GROUP = 'security group';

export const securityGroupsModule: ResourceModule = {
  keys: { SecurityGroups: z.array(group) },
  collect(key, value, _file, at, ctx) {
    (value as Group[]).forEach((g, i) => ctx.store<Group>(GROUP).add(g.GroupId, g, originOf(at, `${key}[${i}]`)));
  },
};

/** Writes every group of a written VPC. Runs after VPCs, peerings, prefix lists and transit gateways. */
export function emitSecurityGroups(ctx: ImportContext, draft: Draft): void {
  const entries = ctx.store<Group>(GROUP).entries();
  const vpcOf = new Map<string, string>();
  for (const [id, { value: g, origin }] of entries) {
    if (g.VpcId === undefined) ctx.warn(origin, 'EC2-Classic group', `group ${id} has no VpcId (an EC2-Classic group): not loaded`);
    else if (!draft.vpcs.has(g.VpcId)) ctx.warn(origin, 'group of an unknown VPC', `group ${id} is in ${g.VpcId}, which no Vpcs file describes: not loaded`, '.VpcId');
    else vpcOf.set(id, g.VpcId);
  }
  const reach = referenceReach(draft);
  for (const [id, { value: g, origin }] of entries) {
    const vpc = vpcOf.get(id);
    if (vpc === undefined) continue;
    const read = (list: Permission[] | undefined, direction: 'ingress' | 'egress', field: string): RuleDoc[] =>
      (list ?? []).flatMap((p, i) => rulesOf(p, { ctx, draft, origin, path: `.${field}[${i}]`, direction, vpc, vpcOf, reach }));
    draft.groups.set(id, {
      ...(g.GroupName !== undefined && { label: g.GroupName }),
      vpc,
      ...(g.Description !== undefined && g.Description !== '' && { description: g.Description }),
      ingress: read(g.IpPermissions, 'ingress', 'IpPermissions'),
      egress: read(g.IpPermissionsEgress, 'egress', 'IpPermissionsEgress'),
    });
  }
}

interface RuleContext {
  ctx: ImportContext;
  draft: Draft;
  origin: Origin;
  path: string;
  direction: 'ingress' | 'egress';
  vpc: string;
  vpcOf: ReadonlyMap<string, string>;
  reach: (from: string, to: string, direction: 'ingress' | 'egress') => boolean;
}

/** The rules of one IpPermission: protocol and ports once, one rule per source. */
function rulesOf(p: Permission, rc: RuleContext): RuleDoc[] {
  const { ctx, origin, path } = rc;
  const name = protocolName(p.IpProtocol);
  if (name === null || name === undefined) {
    ctx.warn(origin, 'IPv6', `a rule for ${p.IpProtocol} (ICMPv6): IPv6 is not modelled`, path);
    return [];
  }
  const match: Pick<RuleDoc, 'protocol' | 'ports' | 'icmp'> = { protocol: name };
  if (name === 'tcp' || name === 'udp') {
    const from = p.FromPort === undefined || p.FromPort < 0 ? 0 : p.FromPort;
    const to = p.ToPort === undefined || p.ToPort < 0 ? 65535 : p.ToPort;
    match.ports = portsText(from, to);
  } else if (name === 'icmp') {
    const type = p.FromPort ?? -1;
    const code = p.ToPort ?? -1;
    if (type < 0 && code >= 0) {
      ctx.warn(origin, 'ICMP code without type', `an ICMP rule with code ${code} under type -1 matches nothing (as Batfish reads it): not loaded`, path);
      return [];
    }
    if (type >= 0) match.icmp = code >= 0 ? { type, code } : { type };
  }
  const side = rc.direction === 'ingress' ? 'from' : 'to';
  const rule = (peer: PeerDoc, description: string | undefined): RuleDoc => ({ ...match, [side]: peer, ...(description !== undefined && description !== '' && { description }) });
  const out: RuleDoc[] = [];
  (p.IpRanges ?? []).forEach((r, k) => {
    const block = hostCidr(r.CidrIp) as string;
    if (block !== r.CidrIp) ctx.warn(origin, 'host bits', `${r.CidrIp} has host bits set: written as ${block}`, `${path}.IpRanges[${k}].CidrIp`);
    out.push(rule({ cidr: block }, r.Description));
  });
  if ((p.Ipv6Ranges?.length ?? 0) > 0) ctx.warn(origin, 'IPv6', 'IPv6 sources and destinations (Ipv6Ranges) are not modelled', `${path}.Ipv6Ranges`);
  (p.PrefixListIds ?? []).forEach((r, k) => {
    if (rc.draft.prefixLists.has(r.PrefixListId)) out.push(rule({ prefixList: r.PrefixListId }, r.Description));
    else ctx.warn(origin, 'unknown prefix list', `prefix list ${r.PrefixListId} is in no PrefixLists file: the rule is not loaded`, `${path}.PrefixListIds[${k}]`);
  });
  (p.UserIdGroupPairs ?? []).forEach((r, k) => {
    const at = `${path}.UserIdGroupPairs[${k}]`;
    if (r.GroupId === undefined) {
      ctx.warn(origin, 'group pair without GroupId', `a group pair naming ${r.GroupName ?? 'nothing'} without its GroupId: not loaded`, at);
      return;
    }
    const target = rc.vpcOf.get(r.GroupId);
    if (target === undefined) {
      ctx.warn(origin, 'stale group reference', `group ${r.GroupId} is not loaded (no file describes it in a loaded VPC): the rule is stale and matches nothing`, at);
      out.push(rule({ group: r.GroupId, stale: true }, r.Description));
    } else if (!rc.reach(rc.vpc, target, rc.direction)) {
      ctx.warn(origin, 'stale group reference', `group ${r.GroupId} is in ${target}, which ${rc.vpc} neither is nor peers with in its region: the rule is stale and matches nothing`, at);
      out.push(rule({ group: r.GroupId, stale: true }, r.Description));
    } else out.push(rule({ group: r.GroupId }, r.Description));
  });
  return out;
}

/** Whether a rule of a group in `from` may name a group in `to` (domain-vpc.md §5). */
function referenceReach(draft: Draft): (from: string, to: string, direction: 'ingress' | 'egress') => boolean {
  const peered = new Set<string>();
  for (const p of draft.peerings.values()) {
    if (draft.vpcs.get(p.requester)?.region !== draft.vpcs.get(p.accepter)?.region) continue;
    peered.add(`${p.requester} ${p.accepter}`);
    peered.add(`${p.accepter} ${p.requester}`);
  }
  const tgws = referencingGroups(draft);
  return (from, to, direction) =>
    from === to ||
    peered.has(`${from} ${to}`) ||
    (direction === 'ingress' && draft.vpcs.get(from)?.region === draft.vpcs.get(to)?.region && tgws.some((t) => t.vpcs.has(from) && t.vpcs.has(to)));
}
