/**
 * scenario/vpc/groups: security groups of VPCs and their ingress and egress rules.
 *
 * Owns: `groups.<g>` (its VPC, description, `ingress` (none if absent), `egress` (all out if
 * absent, none if `[]`)), one rule (protocol/ports/icmp, then `from` / `to`: exactly one of
 * `cidr`, `group` (`default` is the rule's own VPC's; `<account>/<group>` names the account)
 * or `prefixList`, and `stale: true` for an imported reference to a gone group), the reach of
 * a group reference (its own VPC, an active same-region peer, and for ingress a VPC on the
 * same transit gateway with group referencing on at the gateway and both attachments; stale
 * references are exempt), duplicate rules, `limits.rulesPerGroup` per direction, each VPC's
 * implicit `default` group, and resolving a group name as an ENI of a VPC sees it.
 * Does not own: the protocol vocabulary (rules.ts), the timeline's rule changes (actions.ts).
 */
import { formatCidr } from '../../net/ipv4.ts';
import { formatPath } from '../diagnostics.ts';
import { absent, entriesOf, isPlainObject, type Path } from './checker.ts';
import { reference, vpcField, type Ctx } from './context.ts';
import { checkMatch, sameMatch } from './rules.ts';
import { EGRESS_RULE_FIELDS, GROUP_FIELDS, INGRESS_RULE_FIELDS, PEER_FIELDS } from './vocabulary.ts';
import { vpcDefaultGroupKey, type Direction, type RulePeer, type VpcRule } from './spec.ts';

export const ALL_OUT: VpcRule = { protocol: 'all', peer: { kind: 'cidr', cidr: { base: 0, prefix: 0 } } };

/** The VPCs a group of `vpc` may reference in a rule of `direction`. */
export function reachableVpcs(ctx: Ctx, vpc: string, direction: Direction): Set<string> {
  let cache = reachCache.get(ctx);
  if (!cache) reachCache.set(ctx, (cache = new Map()));
  const key = `${direction}\u0000${vpc}`;
  let out = cache.get(key);
  if (!out) cache.set(key, (out = computeReach(ctx, vpc, direction)));
  return out;
}

/** Peerings and transit gateways are settled before any rule is read, so reach is cached. */
const reachCache = new WeakMap<Ctx, Map<string, Set<string>>>();

function computeReach(ctx: Ctx, vpc: string, direction: Direction): Set<string> {
  const out = new Set([vpc]);
  const region = ctx.vpcs.get(vpc)?.region;
  for (const p of ctx.peerings.values()) {
    if (p.status !== 'active' || p.crossRegion) continue;
    if (p.requester === vpc) out.add(p.accepter);
    if (p.accepter === vpc) out.add(p.requester);
  }
  if (direction === 'ingress') {
    for (const t of ctx.tgws.values()) {
      if (!t.sgReferencing || t.region !== region) continue;
      const on = t.attachments.filter((a) => a.kind === 'vpc' && a.sgReferencing).map((a) => (a.kind === 'vpc' ? a.vpc : ''));
      if (on.includes(vpc)) for (const w of on) out.add(w);
    }
  }
  return out;
}

/** The VPC of a group key, if known. */
export function groupVpc(ctx: Ctx, key: string): string | undefined {
  if (key.startsWith('default/')) return key.slice('default/'.length);
  return ctx.groups.get(key)?.vpc ?? ctx.groupNames.get(key)?.vpc;
}

export function describePeer(p: RulePeer): string {
  return p.kind === 'cidr' ? formatCidr(p.cidr) : p.kind === 'prefixList' ? `prefix list ${p.prefixList}` : `group ${p.group.startsWith('default/') ? 'default' : p.group}`;
}

export function describeRule(r: VpcRule, direction: Direction): string {
  const what = r.protocol === 'all' ? 'all'
    : r.protocol === 'icmp' ? `icmp ${r.icmp!.type}:${r.icmp!.code}`
      : r.ports ? `${r.protocol} ${r.ports.from === r.ports.to ? r.ports.from : `${r.ports.from}-${r.ports.to}`}` : `protocol ${r.protocol}`;
  return `${what} ${direction === 'ingress' ? 'from' : 'to'} ${describePeer(r.peer)}`;
}

export function sameRule(a: VpcRule, b: VpcRule): boolean {
  if (!sameMatch(a, b) || a.peer.kind !== b.peer.kind) return false;
  if (a.peer.kind === 'cidr' && b.peer.kind === 'cidr') return a.peer.cidr.base === b.peer.cidr.base && a.peer.cidr.prefix === b.peer.cidr.prefix;
  if (a.peer.kind === 'group' && b.peer.kind === 'group') return a.peer.group === b.peer.group;
  return a.peer.kind === 'prefixList' && b.peer.kind === 'prefixList' && a.peer.prefixList === b.peer.prefixList;
}

/** A rule of a group of `vpc` (undefined when the group's VPC is itself invalid). */
export function checkRule(ctx: Ctx, v: unknown, path: Path, direction: Direction, vpc: string | undefined): VpcRule | undefined {
  const { c } = ctx;
  const field = direction === 'ingress' ? 'from' : 'to';
  const other = direction === 'ingress' ? 'to' : 'from';
  if (isPlainObject(v) && !absent(v[other]) && absent(v[field])) {
    c.error([...path, other], direction === 'ingress'
      ? 'an ingress rule names its source with from (to is for egress rules)'
      : 'an egress rule names its destination with to (from is for ingress rules)');
    return undefined;
  }
  const o = c.mapping(v, path, direction === 'ingress' ? INGRESS_RULE_FIELDS : EGRESS_RULE_FIELDS,
    `${direction === 'ingress' ? 'an ingress' : 'an egress'} rule ({ protocol, ports or icmp, ${field}: { cidr } or { group } or { prefixList }, description })`);
  if (!o) return undefined;
  const before = c.count;
  const match = checkMatch(c, o, path);
  let peer: RulePeer | undefined;
  const pp = [...path, field];
  if (absent(o[field])) c.error(pp, `${field} is required: { cidr: a.b.c.d/n }, { group: <name> } or { prefixList: <name> }`);
  else {
    const po = c.mapping(o[field], pp, PEER_FIELDS, `${direction === 'ingress' ? 'a source' : 'a destination'} ({ cidr }, { group } or { prefixList })`);
    if (po) {
      const given = (['cidr', 'group', 'prefixList'] as const).filter((k) => !absent(po[k]));
      const stale = c.boolean(po, 'stale', pp, false);
      if (given.length !== 1) c.error(pp, given.length === 0 ? 'give exactly one of cidr, group or prefixList' : `give one of ${given.join(', ')}, not several (one rule has one ${field === 'from' ? 'source' : 'destination'})`);
      else if (stale && given[0] !== 'group') c.error([...pp, 'stale'], 'stale marks a group reference (an imported group that is gone)');
      else if (given[0] === 'cidr') {
        const cidr = c.cidr(po.cidr, [...pp, 'cidr']);
        if (cidr) peer = { kind: 'cidr', cidr };
      } else if (given[0] === 'prefixList') {
        const pl = reference(ctx, po.prefixList, [...pp, 'prefixList'], ['prefix list'], 'prefix list');
        if (pl !== undefined && ctx.prefixLists.has(pl)) peer = { kind: 'prefixList', prefixList: pl };
      } else {
        const key = groupReference(ctx, po.group, [...pp, 'group'], direction, vpc, stale);
        if (key !== undefined) peer = { kind: 'group', group: key, stale };
      }
    }
  }
  const description = c.text(o, 'description', path);
  c.text(o, 'label', path);
  if (c.count > before || !match || !peer) return undefined;
  return { ...match, peer, ...(description !== undefined ? { description } : {}) };
}

function groupReference(ctx: Ctx, v: unknown, path: Path, direction: Direction, vpc: string | undefined, stale: boolean): string | undefined {
  const { c } = ctx;
  const raw = c.string(v, path, 'a group name');
  if (raw === undefined) return undefined;
  const slash = raw.indexOf('/');
  const account = slash >= 0 ? raw.slice(0, slash) : undefined;
  const name = slash >= 0 ? raw.slice(slash + 1) : raw;
  if (stale) return raw;
  let key: string;
  let target: string | undefined;
  if (name === 'default' && account === undefined) {
    if (vpc === undefined) return undefined;
    key = vpcDefaultGroupKey(vpc);
    target = vpc;
  } else {
    const decl = ctx.groupNames.get(name);
    if (!decl) {
      c.unknown(path, 'group', name, [...ctx.groupNames.keys(), 'default']);
      return undefined;
    }
    target = ctx.groups.get(name)?.vpc ?? groupVpcs.get(ctx)?.get(name);
    key = name === 'default' && target !== undefined ? vpcDefaultGroupKey(target) : name;
  }
  if (target === undefined || vpc === undefined) return key;
  if (account !== undefined && ctx.vpcs.get(target)?.account !== account) {
    c.error(path, `group ${name} is in VPC ${target}, whose account is ${ctx.vpcs.get(target)?.account ?? 'not given'}, not ${account}`);
    return undefined;
  }
  if (!reachableVpcs(ctx, vpc, direction).has(target)) {
    c.error(path, `group ${name} is in VPC ${target}, out of reach of VPC ${vpc}: a group reference reaches its own VPC, an active peer in the same region${direction === 'ingress' ? ' and, in ingress rules, a VPC on the same transit gateway with sgReferencing' : ''} (or mark an imported one stale: true)`);
    return undefined;
  }
  return key;
}

/** Each group's VPC, settled before any rule is read (rules may name groups declared later). */
const groupVpcs = new WeakMap<Ctx, Map<string, string>>();

export function checkGroups(ctx: Ctx, v: unknown): void {
  const { c } = ctx;
  const vpcs = new Map<string, string>();
  groupVpcs.set(ctx, vpcs);
  const docs = entriesOf(v).filter(([name]) => ctx.groupNames.has(name));
  const bodies = new Map<string, Record<string, unknown>>();
  for (const [name, value] of docs) {
    const o = c.mapping(value, ['groups', name], GROUP_FIELDS, 'a group ({ vpc, description, ingress, egress, label })');
    if (!o) continue;
    bodies.set(name, o);
    const vpc = vpcField(ctx, o, ['groups', name]);
    if (vpc !== undefined) vpcs.set(name, vpc);
  }
  for (const [name, o] of bodies) {
    const path = ['groups', name];
    const before = c.count;
    const vpc = vpcs.get(name);
    const rules = (direction: Direction): VpcRule[] => {
      const raw = o[direction];
      if (absent(raw)) return direction === 'egress' ? [ALL_OUT] : [];
      const list = c.list(raw, [...path, direction], `${direction} rules`);
      const out: VpcRule[] = [];
      list?.forEach((r, i) => {
        const rule = checkRule(ctx, r, [...path, direction, i], direction, vpc);
        if (!rule) return;
        const dup = out.findIndex((x) => sameRule(x, rule));
        if (dup >= 0) c.error([...path, direction, i], `duplicate rule: the same protocol, ports/icmp and ${direction === 'ingress' ? 'source' : 'destination'} as ${formatPath([...path, direction, dup])} (descriptions do not count)`);
        else out.push(rule);
      });
      if (list && list.length > ctx.settings.limits.rulesPerGroup) {
        c.error([...path, direction], `group ${name} has ${list.length} ${direction} rules; the limit is ${ctx.settings.limits.rulesPerGroup} per direction (settings.limits.rulesPerGroup)`);
      }
      return out;
    };
    const ingress = rules('ingress');
    const egress = rules('egress');
    const description = c.text(o, 'description', path);
    const label = c.text(o, 'label', path);
    if (c.count > before || vpc === undefined) continue;
    const key = name === 'default' ? vpcDefaultGroupKey(vpc) : name;
    ctx.groups.set(key, {
      key, name, vpc, implicit: false, ingress, egress,
      ...(description !== undefined ? { description } : {}), ...(label !== undefined ? { label } : {}),
    });
  }
  for (const vpc of ctx.vpcs.keys()) {
    const key = vpcDefaultGroupKey(vpc);
    if (ctx.groups.has(key) || vpcs.get('default') === vpc) continue;
    ctx.groups.set(key, {
      key, name: 'default', vpc, implicit: true, description: 'default VPC security group',
      ingress: [{ protocol: 'all', peer: { kind: 'group', group: key, stale: false } }], egress: [ALL_OUT],
    });
  }
}

/** A group an ENI of `vpc` names: its key, or undefined after reporting. */
export function resolveEniGroup(ctx: Ctx, v: unknown, path: Path, vpc: string | undefined, holder: string): string | undefined {
  const name = ctx.c.string(v, path, 'a group name');
  if (name === undefined) return undefined;
  if (name === 'default') return vpc === undefined ? undefined : vpcDefaultGroupKey(vpc);
  if (!ctx.groupNames.has(name)) {
    ctx.c.unknown(path, 'group', name, [...ctx.groupNames.keys(), 'default']);
    return undefined;
  }
  const own = groupVpcs.get(ctx)?.get(name);
  if (vpc !== undefined && own !== undefined && own !== vpc) {
    ctx.c.error(path, `group ${name} is in VPC ${own}, but ${holder} is in VPC ${vpc} (a group serves only its VPC)`);
    return undefined;
  }
  return name;
}

/** The list of groups an ENI carries: 1 to `limits.groupsPerInterface`, each once. */
export function checkEniGroups(ctx: Ctx, v: unknown, path: Path, vpc: string | undefined, holder: string): string[] | undefined {
  if (absent(v)) return vpc === undefined ? undefined : [vpcDefaultGroupKey(vpc)];
  const list = ctx.c.list(v, path, 'group names');
  if (!list) return undefined;
  const before = ctx.c.count;
  if (list.length === 0) ctx.c.error(path, 'a network interface is in at least one group (omit groups for [default])');
  const limit = ctx.settings.limits.groupsPerInterface;
  if (list.length > limit) ctx.c.error(path, `${list.length} groups; the limit is ${limit} per network interface (settings.limits.groupsPerInterface)`);
  const out: string[] = [];
  list.forEach((g, i) => {
    const key = resolveEniGroup(ctx, g, [...path, i], vpc, holder);
    if (key === undefined) return;
    if (out.includes(key)) ctx.c.error([...path, i], `group ${String(g)} is listed twice`);
    else out.push(key);
  });
  return ctx.c.count > before ? undefined : out;
}

