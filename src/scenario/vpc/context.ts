/**
 * scenario/vpc/context: what the sections of a `platform: vpc` document learn about each other.
 *
 * Owns: the one namespace (every object but groups: vpcs, subnets, gateways, peerings, transit
 * gateways with their tables and attachments, route tables, NACLs, instances, their ENIs and
 * external hosts), collected in a first pass so declaration order never matters, with its
 * rules (no `.`, `/`, `:` or spaces; `local` reserved; an AWS-id-shaped name is of that kind;
 * the implicit `<vpc>-main` and `<vpc>-default` names taken); the group namespace; the
 * validated objects each section records for the later ones; and the lookups that turn a
 * reference into a name with "unknown …" / "… is a …, not a …" messages.
 * Does not own: the checks of any section.
 */
import { formatPath } from '../diagnostics.ts';
import type { Ip } from '../../net/ipv4.ts';
import { listOf } from '../schema.ts';
import { absent, entriesOf, isPlainObject, type Checker, type Obj, type Path } from './checker.ts';
import { idKind, type ObjectKind } from './vocabulary.ts';
import type {
  InterfaceSpec, InternetGatewaySpec, NatGatewaySpec, NetworkAclSpec, PeeringSpec, PrefixListSpec, RouteTableSpec,
  SubnetSpec, TransitGatewaySpec, VpcExternalSpec, VpcGroupSpec, VpcInstanceSpec, VpcSettings, VpcSpec, VpnGatewaySpec,
} from './spec.ts';

export interface NameInfo {
  readonly kind: ObjectKind;
  readonly path: Path;
  /** For an ENI: its instance. For a transit gateway's table or attachment: the transit gateway. */
  readonly owner?: string;
  /** Declared by a `launch`: the first launch in time. */
  launch?: { index: number; at: number };
  /** An implicit object (`<vpc>-main`, `<vpc>-default`). */
  readonly implicit?: boolean;
}

/** Who holds an address, for duplicate checks. */
export interface Claim {
  readonly owner: string;
  readonly what: string;
  readonly path: Path;
}

export type SubnetInfo = Omit<SubnetSpec, 'routeTable' | 'networkAcl'>;

export interface Ctx {
  readonly c: Checker;
  settings: VpcSettings;
  readonly names: Map<string, NameInfo>;
  readonly groupNames: Map<string, { vpc?: string; path: Path }>;
  /** Declared `regions` (optional): region → zones. */
  regions?: Map<string, readonly string[]>;
  /** Declared VPC names (valid or not), for defaulting `vpc` fields. */
  readonly vpcNames: string[];
  readonly vpcs: Map<string, VpcSpec>;
  readonly subnets: Map<string, SubnetInfo>;
  readonly igws: Map<string, InternetGatewaySpec>;
  readonly nats: Map<string, NatGatewaySpec>;
  readonly vgws: Map<string, VpnGatewaySpec>;
  readonly prefixLists: Map<string, PrefixListSpec>;
  readonly peerings: Map<string, PeeringSpec>;
  readonly tgws: Map<string, TransitGatewaySpec>;
  readonly routeTables: Map<string, RouteTableSpec>;
  readonly nacls: Map<string, NetworkAclSpec>;
  readonly groups: Map<string, VpcGroupSpec>;
  readonly enis: Map<string, InterfaceSpec>;
  readonly instances: Map<string, VpcInstanceSpec>;
  readonly external: Map<string, VpcExternalSpec>;
  /** Private addresses by VPC (VPC blocks may overlap across VPCs). */
  readonly privateClaims: Map<string, Map<Ip, Claim>>;
  /** Public addresses: Elastic IPs, public IPs, NAT gateways' EIPs, internet hosts. */
  readonly publicClaims: Map<Ip, Claim & { readonly eip?: 'instance' | 'nat' }>;
}

export function newCtx(c: Checker, settings: VpcSettings): Ctx {
  return {
    c, settings, names: new Map(), groupNames: new Map(), vpcNames: [], vpcs: new Map(), subnets: new Map(),
    igws: new Map(), nats: new Map(), vgws: new Map(), prefixLists: new Map(), peerings: new Map(), tgws: new Map(),
    routeTables: new Map(), nacls: new Map(), groups: new Map(), enis: new Map(), instances: new Map(),
    external: new Map(), privateClaims: new Map(), publicClaims: new Map(),
  };
}

export function mainTableName(vpc: string): string {
  return `${vpc}-main`;
}
export function defaultAclName(vpc: string): string {
  return `${vpc}-default`;
}

/** What is wrong with a name of the one namespace, if anything. */
export function nameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'a name may not be empty';
  if (/\s/.test(name)) return `name ${JSON.stringify(name)} may not hold spaces`;
  if (name.includes('.')) return `name "${name}" may not contain "." (addresses are written <name>.private, <name>.public, …)`;
  if (name.includes('/') || name.includes(':')) return `name "${name}" may not contain "/" or ":"`;
  if (name === 'local') return 'the name local is reserved (the target of every route table\'s implicit local routes)';
  return undefined;
}

/** Declares a name of the one namespace; false (after reporting) if it cannot be. */
export function declare(ctx: Ctx, name: string, info: NameInfo): boolean {
  const problem = nameProblem(name);
  if (problem) {
    ctx.c.error(info.path, problem);
    return false;
  }
  const shaped = idKind(name);
  if (shaped && shaped !== info.kind) {
    ctx.c.error(info.path, `"${name}" is shaped like ${article(shaped)} id, but it is declared as ${article(info.kind)} (an id-shaped name is of that kind)`);
    return false;
  }
  const prior = ctx.names.get(name);
  if (prior) {
    ctx.c.error(
      info.path,
      prior.implicit
        ? `"${name}" is the name of ${prior.kind === 'route table' ? `VPC ${prior.owner}'s implicit main route table (declare that table with main: true, or choose another name)` : `VPC ${prior.owner}'s implicit default network ACL (declare that ACL with default: true, or choose another name)`}`
        : `"${name}" is already declared at ${formatPath(prior.path)} (all names but groups' share one namespace)`,
    );
    return false;
  }
  ctx.names.set(name, info);
  return true;
}

export function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/** The names of one kind, for "known:" lists. */
export function namesOf(ctx: Ctx, kinds: readonly ObjectKind[]): string[] {
  return [...ctx.names].filter(([, i]) => kinds.includes(i.kind)).map(([n]) => n);
}

/**
 * A reference to an object of one of `kinds`: the name if it is one, else undefined after
 * reporting (unknown, or of another kind). `what` names the expected kind in messages.
 */
export function reference(ctx: Ctx, v: unknown, path: Path, kinds: readonly ObjectKind[], what: string): string | undefined {
  const name = ctx.c.string(v, path, `${article(what)} name`);
  if (name === undefined) return undefined;
  const info = ctx.names.get(name);
  if (!info) {
    ctx.c.unknown(path, what, name, namesOf(ctx, kinds));
    return undefined;
  }
  if (!kinds.includes(info.kind)) {
    ctx.c.error(path, `"${name}" is ${article(info.kind)}, not ${article(what)} (known: ${listOf(namesOf(ctx, kinds)) || 'none'})`);
    return undefined;
  }
  return name;
}

/**
 * A `vpc` field: a declared VPC; may be left out when the scenario has exactly one VPC.
 * Returns the VPC's name only if the VPC itself is valid (else undefined, reported or not).
 */
export function vpcField(ctx: Ctx, o: Obj, path: Path, field = 'vpc'): string | undefined {
  const at = [...path, field];
  if (absent(o[field])) {
    if (ctx.vpcNames.length === 1) return ctx.vpcs.has(ctx.vpcNames[0]) ? ctx.vpcNames[0] : undefined;
    ctx.c.error(at, ctx.vpcNames.length === 0
      ? `${field} is required, and the scenario declares no VPC (declare one under vpcs)`
      : `${field} is required with several VPCs (known: ${listOf(ctx.vpcNames)})`);
    return undefined;
  }
  const name = reference(ctx, o[field], at, ['vpc'], 'vpc');
  return name !== undefined && ctx.vpcs.has(name) ? name : undefined;
}

/** The VPC a `vpc` field names, read raw (first pass: before VPCs are validated). */
function rawVpc(ctx: Ctx, o: unknown): string | undefined {
  if (!isPlainObject(o)) return undefined;
  if (absent(o.vpc)) return ctx.vpcNames.length === 1 ? ctx.vpcNames[0] : undefined;
  return typeof o.vpc === 'string' && ctx.vpcNames.includes(o.vpc) ? o.vpc : undefined;
}

const SECTIONS: readonly [string, ObjectKind][] = [
  ['vpcs', 'vpc'], ['subnets', 'subnet'], ['internetGateways', 'internet gateway'], ['natGateways', 'NAT gateway'],
  ['vpnGateways', 'VPN gateway'], ['prefixLists', 'prefix list'], ['peerings', 'peering'],
  ['transitGateways', 'transit gateway'], ['routeTables', 'route table'], ['networkAcls', 'network ACL'],
  ['instances', 'instance'], ['external', 'external host'],
];

/** The names of an instance's ENIs, in device order (a lone unnamed ENI bears the instance's name). */
export function interfaceNames(instance: string, o: Obj): (string | undefined)[] {
  if (!Array.isArray(o.interfaces)) return [instance];
  const list = o.interfaces;
  return list.map((eni, k) => {
    if (isPlainObject(eni) && !absent(eni.name)) return typeof eni.name === 'string' ? eni.name : undefined;
    return list.length === 1 ? instance : `${instance}-eth${k}`;
  });
}

/** Declares an instance's ENIs (other than a lone one bearing its name). */
export function declareInterfaces(ctx: Ctx, instance: string, o: Obj, path: Path, launch?: { index: number; at: number }): void {
  interfaceNames(instance, o).forEach((eni, k) => {
    if (eni === undefined || eni === instance) return;
    const explicit = Array.isArray(o.interfaces) && isPlainObject(o.interfaces[k]) && !absent((o.interfaces[k] as Obj).name);
    const at = explicit ? [...path, 'interfaces', k, 'name'] : [...path, 'interfaces', k];
    const info: NameInfo = { kind: 'network interface', path: at, owner: instance };
    if (launch) info.launch = launch;
    declare(ctx, eni, info);
  });
}

/** First pass: every name of the document, before any section is checked. */
export function collectNames(ctx: Ctx, root: Obj): void {
  const { c } = ctx;
  for (const [section, kind] of SECTIONS) {
    const v = root[section];
    if (absent(v)) continue;
    if (!isPlainObject(v)) {
      c.error([section], `expected a mapping of names to ${section === 'external' ? 'external hosts' : `${kind}s`}, got ${Array.isArray(v) ? 'a list' : typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
      continue;
    }
    for (const name of Object.keys(v)) {
      if (!declare(ctx, name, { kind, path: [section, name] })) continue;
      if (kind === 'vpc') ctx.vpcNames.push(name);
    }
  }
  // Names inside transit gateways and instances.
  for (const [tgw, t] of entriesOf(root.transitGateways)) {
    if (!ctx.names.has(tgw) || !isPlainObject(t)) continue;
    for (const [field, kind] of [['routeTables', 'transit gateway route table'], ['attachments', 'transit gateway attachment']] as const) {
      for (const [name] of entriesOf(t[field])) declare(ctx, name, { kind, path: ['transitGateways', tgw, field, name], owner: tgw });
    }
  }
  for (const [name, o] of entriesOf(root.instances)) {
    if (ctx.names.get(name)?.kind === 'instance' && isPlainObject(o)) declareInterfaces(ctx, name, o, ['instances', name]);
  }
  // The implicit main table and default NACL of each VPC that declares none.
  const hasMain = new Set<string>();
  const hasDefault = new Set<string>();
  for (const [, t] of entriesOf(root.routeTables)) if (isPlainObject(t) && t.main === true) hasMain.add(rawVpc(ctx, t) ?? '');
  for (const [, a] of entriesOf(root.networkAcls)) if (isPlainObject(a) && a.default === true) hasDefault.add(rawVpc(ctx, a) ?? '');
  for (const vpc of ctx.vpcNames) {
    for (const [name, kind, has] of [[mainTableName(vpc), 'route table', hasMain], [defaultAclName(vpc), 'network ACL', hasDefault]] as const) {
      if (has.has(vpc)) continue;
      const prior = ctx.names.get(name);
      if (prior) {
        c.error(prior.path, `"${name}" is the name of ${kind === 'route table'
          ? `VPC ${vpc}'s implicit main route table (declare that table with main: true, or choose another name)`
          : `VPC ${vpc}'s implicit default network ACL (declare that ACL with default: true, or choose another name)`}`);
        continue;
      }
      ctx.names.set(name, { kind, path: ['vpcs', vpc], owner: vpc, implicit: true });
    }
  }
  // Groups: their own namespace.
  if (!absent(root.groups)) {
    if (!isPlainObject(root.groups)) c.error(['groups'], 'expected a mapping of group names to groups');
    else {
      for (const [name, g] of Object.entries(root.groups)) {
        if (name.trim() === '' || name.includes('/')) {
          c.error(['groups', name], `group name ${JSON.stringify(name)} is not allowed (empty, or holding "/", which writes <account>/<group>)`);
          continue;
        }
        ctx.groupNames.set(name, { vpc: rawVpc(ctx, g), path: ['groups', name] });
      }
    }
  }
}
