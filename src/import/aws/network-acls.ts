/**
 * import/aws/network-acls: describe-network-acls (`NetworkAcls`) → `networkAcls`.
 *
 * Owns: `VpcId`, `IsDefault`, `Associations[].SubnetId`, and `Entries[]`: `RuleNumber` (sorted;
 * the `*` entry, 32767, is implicit and left out; a repeated number keeps the first, warned),
 * `Egress`, `RuleAction`, `Protocol` (`-1`/6/17/1 → all/tcp/udp/icmp, other numbers as they are),
 * `CidrBlock`, `PortRange` (tcp and udp) and `IcmpTypeCode` (-1: any). IPv6 entries are warned.
 */
import { z } from 'zod';
import { cidr, hostCidr, labelled, portsText, protocol, protocolName, tags } from './common.ts';
import { originOf, type ImportContext, type ResourceModule } from './context.ts';
import type { Draft, NaclEntryDoc } from './document.ts';

const entry = z.looseObject({
  RuleNumber: z.number().int().min(1).max(32767),
  Egress: z.boolean(),
  RuleAction: z.enum(['allow', 'deny']),
  Protocol: protocol,
  CidrBlock: cidr.optional(),
  Ipv6CidrBlock: z.string().optional(),
  PortRange: z.looseObject({ From: z.number().int().optional(), To: z.number().int().optional() }).optional(),
  IcmpTypeCode: z.looseObject({ Type: z.number().int().optional(), Code: z.number().int().optional() }).optional(),
});
type Entry = z.infer<typeof entry>;
const acl = z.looseObject({
  NetworkAclId: z.string(),
  VpcId: z.string(),
  IsDefault: z.boolean().optional(),
  Associations: z.array(z.looseObject({ SubnetId: z.string() })).optional(),
  Entries: z.array(entry).optional(),
  Tags: tags,
});
type Acl = z.infer<typeof acl>;
const NACL = 'network ACL';

export const networkAclsModule: ResourceModule = {
  keys: { NetworkAcls: z.array(acl) },
  collect(key, value, _file, at, ctx) {
    (value as Acl[]).forEach((a, i) => ctx.store<Acl>(NACL).add(a.NetworkAclId, a, originOf(at, `${key}[${i}]`)));
  },
};

export function emitNetworkAcls(ctx: ImportContext, draft: Draft): void {
  for (const [id, { value: a, origin }] of ctx.store<Acl>(NACL).entries()) {
    if (!draft.vpcs.has(a.VpcId)) {
      ctx.warn(origin, 'network ACL of an unknown VPC', `network ACL ${id} is in ${a.VpcId}, which no Vpcs file describes: not loaded`, '.VpcId');
      continue;
    }
    const subnets: string[] = [];
    (a.Associations ?? []).forEach((s, k) => {
      if (draft.subnets.has(s.SubnetId)) subnets.push(s.SubnetId);
      else ctx.warn(origin, 'association of an unknown subnet', `network ACL ${id} is associated with ${s.SubnetId}, which is not loaded`, `.Associations[${k}]`);
    });
    const ingress = new Map<number, NaclEntryDoc>();
    const egress = new Map<number, NaclEntryDoc>();
    (a.Entries ?? []).forEach((e, k) => {
      const path = `.Entries[${k}]`;
      if (e.RuleNumber === 32767) return; // the `*` entry every NACL ends with
      if (e.CidrBlock === undefined) {
        if (e.Ipv6CidrBlock !== undefined) ctx.warn(origin, 'IPv6', `network ACL ${id}: IPv6 entries are not modelled`, path);
        else ctx.warn(origin, 'entry without CIDR', `network ACL ${id}: entry ${e.RuleNumber} has no CidrBlock: left out`, path);
        return;
      }
      const written = entryOf(e);
      if (written === null) {
        ctx.warn(origin, 'IPv6', `network ACL ${id}: an ICMPv6 entry is not modelled`, path);
        return;
      }
      const side = e.Egress ? egress : ingress;
      if (side.has(e.RuleNumber)) {
        ctx.warn(origin, 'duplicate NACL number', `network ACL ${id}: ${e.Egress ? 'egress' : 'ingress'} entry ${e.RuleNumber} is repeated: the first is kept`, path);
        return;
      }
      side.set(e.RuleNumber, written);
    });
    const inOrder = (m: Map<number, NaclEntryDoc>): NaclEntryDoc[] => [...m.values()].sort((x, y) => x.number - y.number);
    draft.networkAcls.set(
      id,
      labelled(a.Tags, {
        vpc: a.VpcId,
        ...(a.IsDefault === true && { default: true as const }),
        ...(subnets.length > 0 && { subnets: subnets.sort() }),
        ingress: inOrder(ingress),
        egress: inOrder(egress),
      }),
    );
  }
}

function entryOf(e: Entry): NaclEntryDoc | null {
  const name = protocolName(e.Protocol);
  if (name === null || name === undefined) return null;
  const doc: NaclEntryDoc = { number: e.RuleNumber, action: e.RuleAction, protocol: name, cidr: hostCidr(e.CidrBlock as string) as string };
  if (name === 'tcp' || name === 'udp') {
    const from = e.PortRange?.From ?? 0;
    const to = e.PortRange?.To ?? 65535;
    doc.ports = portsText(from < 0 ? 0 : from, to < 0 ? 65535 : to);
  } else if (name === 'icmp') {
    const type = e.IcmpTypeCode?.Type ?? -1;
    const code = e.IcmpTypeCode?.Code ?? -1;
    if (type >= 0) doc.icmp = code >= 0 ? { type, code } : { type };
  }
  // Keep the key order of the format: number, action, protocol, ports/icmp, cidr.
  const { cidr: block, ...rest } = doc;
  return { ...rest, cidr: block };
}
