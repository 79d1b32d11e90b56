/**
 * scenario/vpc/acls: network ACLs and their entries.
 *
 * Owns: one entry (`number` 1-32766, `action` allow|deny, protocol/ports/icmp, `cidr`), a
 * direction's entries (numbers unique, at most `limits.naclEntries`, sorted by number: the
 * file's order never matters), `networkAcls.<a>` (its VPC, at most one `default` per VPC,
 * subnets of its VPC each associated once, a missing direction denying all), and the implicit
 * `<vpc>-default` NACLs (entry 100 allows all both ways). The timeline reuses `checkEntry`.
 * Does not own: the protocol vocabulary (rules.ts).
 */
import { absent, entriesOf, type Path } from './checker.ts';
import { defaultAclName, vpcField, type Ctx } from './context.ts';
import { checkMatch } from './rules.ts';
import { checkAssociations } from './routing.ts';
import { NACL_ENTRY_FIELDS, NACL_FIELDS } from './vocabulary.ts';
import type { Direction, NaclEntrySpec } from './spec.ts';
import { describeValue } from '../schema.ts';

export const ALLOW_ALL_ENTRY: NaclEntrySpec = { number: 100, action: 'allow', protocol: 'all', cidr: { base: 0, prefix: 0 } };

export function checkEntry(ctx: Ctx, v: unknown, path: Path): NaclEntrySpec | undefined {
  const { c } = ctx;
  const o = c.mapping(v, path, NACL_ENTRY_FIELDS, 'a NACL entry ({ number, action, protocol, ports, icmp, cidr })');
  if (!o) return undefined;
  const before = c.count;
  const number = absent(o.number)
    ? (c.error([...path, 'number'], 'number is required (a rule number 1 to 32766; lower numbers are evaluated first)'), undefined)
    : checkNumber(ctx, o.number, [...path, 'number']);
  let action: 'allow' | 'deny' | undefined;
  if (absent(o.action)) c.error([...path, 'action'], 'action is required (allow or deny)');
  else if (o.action === 'allow' || o.action === 'deny') action = o.action;
  else c.error([...path, 'action'], `unknown action ${describeValue(o.action)} (expected allow or deny)`);
  const match = checkMatch(c, o, path);
  c.text(o, 'label', path);
  const cidr = absent(o.cidr)
    ? (c.error([...path, 'cidr'], 'cidr is required (the source block of an ingress entry, the destination block of an egress entry)'), undefined)
    : c.cidr(o.cidr, [...path, 'cidr']);
  if (c.count > before || number === undefined || !action || !match || !cidr) return undefined;
  return { number, action, ...match, cidr };
}

export function checkNumber(ctx: Ctx, v: unknown, path: Path): number | undefined {
  if (v === 32767 || v === '*') {
    ctx.c.error(path, 'entry 32767 (*) is the implicit final deny; numbers are 1 to 32766');
    return undefined;
  }
  return ctx.c.integer(v, path, 1, 32766, 'rule number');
}

function checkDirection(ctx: Ctx, v: unknown, path: Path): NaclEntrySpec[] {
  const out: NaclEntrySpec[] = [];
  if (absent(v)) return out;
  const list = ctx.c.list(v, path, 'NACL entries');
  if (!list) return out;
  const seen = new Map<number, number>();
  list.forEach((e, i) => {
    const entry = checkEntry(ctx, e, [...path, i]);
    if (!entry) return;
    if (seen.has(entry.number)) {
      ctx.c.error([...path, i, 'number'], `rule number ${entry.number} is already used by ${String(path[path.length - 1])}[${seen.get(entry.number)}] (numbers are unique per direction)`);
      return;
    }
    seen.set(entry.number, i);
    out.push(entry);
  });
  if (list.length > ctx.settings.limits.naclEntries) {
    ctx.c.error(path, `${list.length} ${String(path[path.length - 1])} entries; the limit is ${ctx.settings.limits.naclEntries} per direction (settings.limits.naclEntries)`);
  }
  return out.sort((a, b) => a.number - b.number);
}

export function checkNetworkAcls(ctx: Ctx, v: unknown): void {
  const { c } = ctx;
  const defaultOf = new Map<string, string>();
  const associated = new Map<string, string>();
  for (const [name, value] of entriesOf(v)) {
    if (ctx.names.get(name)?.kind !== 'network ACL') continue;
    const path = ['networkAcls', name];
    const o = c.mapping(value, path, NACL_FIELDS, 'a network ACL ({ vpc, default, subnets, ingress, egress, label })');
    if (!o) continue;
    const before = c.count;
    const vpc = vpcField(ctx, o, path);
    const isDefault = c.boolean(o, 'default', path, false);
    if (isDefault && vpc !== undefined) {
      if (defaultOf.has(vpc)) c.error([...path, 'default'], `VPC ${vpc} already has a default network ACL, ${defaultOf.get(vpc)} (one per VPC)`);
      else defaultOf.set(vpc, name);
    }
    const subnets = checkAssociations(ctx, o, path, vpc, associated, name, 'network ACL');
    const ingress = checkDirection(ctx, o.ingress, [...path, 'ingress']);
    const egress = checkDirection(ctx, o.egress, [...path, 'egress']);
    const label = c.text(o, 'label', path);
    if (c.count > before || vpc === undefined) continue;
    ctx.nacls.set(name, { name, vpc, isDefault, implicit: false, subnets, ingress, egress, ...(label !== undefined ? { label } : {}) });
  }
  for (const vpc of ctx.vpcs.keys()) {
    const implicit = defaultAclName(vpc);
    if (ctx.names.get(implicit)?.implicit && !defaultOf.has(vpc)) {
      ctx.nacls.set(implicit, { name: implicit, vpc, isDefault: true, implicit: true, subnets: [], ingress: [ALLOW_ALL_ENTRY], egress: [ALLOW_ALL_ENTRY] });
    }
  }
}

export function directionOf(ctx: Ctx, v: unknown, path: Path, fallback?: Direction): Direction | undefined {
  if (absent(v)) {
    if (fallback) return fallback;
    ctx.c.error(path, 'direction is required (ingress or egress)');
    return undefined;
  }
  if (v === 'ingress' || v === 'egress') return v;
  ctx.c.error(path, `unknown direction ${describeValue(v)} (expected ingress or egress)`);
  return undefined;
}
