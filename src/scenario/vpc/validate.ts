/**
 * scenario/vpc/validate: a `platform: vpc` document to a VpcScenarioSpec, or every problem.
 *
 * Owns: the order of the checks (top-level fields and settings; every name first; then the
 * address plan, gateways, transit gateways, groups, hosts, route tables and NACLs, each
 * seeing what the earlier ones validated; subnet capacity; the timeline's static replay), the
 * top-level fields (version 1, platform vpc, name, description, seed), and assembling the
 * spec with each subnet's effective route table and NACL. Bad input never throws: every
 * problem is a Diagnostic naming the file and field path, in file order.
 * Does not own: parsing text (scenario/load), any section's rules (the modules it calls).
 */
import { basename, extname } from 'node:path';
import { formatCidr } from '../../net/ipv4.ts';
import { formatPath, shown, type Diagnostic } from '../diagnostics.ts';
import { nestingProblem } from '../load/structure.ts';
import { describeValue } from '../schema.ts';
import { absent, Checker, type Obj } from './checker.ts';
import { collectNames, defaultAclName, mainTableName, newCtx, type Ctx } from './context.ts';
import { checkNetworkAcls } from './acls.ts';
import { subnetSize } from './addresses.ts';
import { checkGroups } from './groups.ts';
import { checkExternal, checkInstances } from './hosts.ts';
import { checkNatGateways, checkPeerings, checkPrefixLists, checkRegions, checkSubnets, checkVpcGateways, checkVpcs } from './network.ts';
import { checkRouteTables } from './routing.ts';
import { checkSettings } from './settings.ts';
import { collectTimeline, checkTimeline } from './timeline.ts';
import { checkTransitGateways } from './transit.ts';
import { TOP_FIELDS } from './vocabulary.ts';
import type { VpcScenarioSpec } from './spec.ts';

export type VpcValidationResult = { ok: true; spec: VpcScenarioSpec } | { ok: false; diagnostics: Diagnostic[] };

function defaultName(file: string): string {
  const base = basename(file);
  const ext = extname(base);
  return ext && ext !== base ? base.slice(0, -ext.length) : base;
}

/** Checks a plain `platform: vpc` document completely and, when it is valid, normalizes it. */
export function validateVpcScenario(doc: unknown, file: string): VpcValidationResult {
  // A document from code may nest without bound or hold a cycle: refused before any reader recurses.
  const deep = nestingProblem(doc);
  if (deep) return { ok: false, diagnostics: [shown({ file, path: formatPath(deep.path), message: deep.message })] };
  const c = new Checker();
  const spec = check(c, doc, defaultName(file));
  const diagnostics = c.sorted(doc, file).map(shown);
  if (diagnostics.length > 0 || !spec) {
    return { ok: false, diagnostics: diagnostics.length ? diagnostics : [{ file, path: '', message: 'invalid scenario' }] };
  }
  return { ok: true, spec };
}

function check(c: Checker, doc: unknown, fallbackName: string): VpcScenarioSpec | undefined {
  if (absent(doc)) {
    c.error([], 'the scenario is empty (expected a mapping with version: 1, platform: vpc, vpcs, subnets and the rest)');
    return undefined;
  }
  const root = c.mapping(doc, [], TOP_FIELDS, 'a scenario (a mapping with version: 1, platform: vpc, vpcs, subnets, …)');
  if (!root) return undefined;
  if (absent(root.version)) c.error(['version'], 'version is required (write version: 1)');
  else if (root.version !== 1) c.error(['version'], `${describeValue(root.version)} is not a supported version (this sgsim reads version 1)`);
  if (root.platform !== 'vpc') c.error(['platform'], `expected platform: vpc, got ${describeValue(root.platform)}`);
  let name = fallbackName;
  if (!absent(root.name)) name = c.string(root.name, ['name'], 'the scenario name') ?? name;
  const description = c.text(root, 'description', []);
  let seed = '0';
  if (!absent(root.seed)) {
    if (typeof root.seed === 'string') seed = root.seed;
    else if (typeof root.seed === 'number' && Number.isSafeInteger(root.seed)) seed = String(root.seed);
    else c.error(['seed'], `expected a seed (a string or an integer), got ${describeValue(root.seed)}`);
  }
  const ctx = newCtx(c, checkSettings(c, root.settings));
  checkRegions(ctx, root.regions);
  collectNames(ctx, root);
  const entries = collectTimeline(ctx, root.timeline);
  checkVpcs(ctx, root.vpcs);
  checkSubnets(ctx, root.subnets);
  checkPrefixLists(ctx, root.prefixLists);
  checkVpcGateways(ctx, root.internetGateways, 'internetGateways');
  checkVpcGateways(ctx, root.vpnGateways, 'vpnGateways');
  checkNatGateways(ctx, root.natGateways);
  checkPeerings(ctx, root.peerings);
  checkTransitGateways(ctx, root.transitGateways);
  checkGroups(ctx, root.groups);
  checkInstances(ctx, root.instances);
  checkExternal(ctx, root.external);
  checkRouteTables(ctx, root.routeTables);
  checkNetworkAcls(ctx, root.networkAcls);
  checkCapacity(ctx, root);
  const instances = [...ctx.instances.values()];
  const timeline = checkTimeline(ctx, entries);
  if (c.count > 0) return undefined;
  return assemble(ctx, { name, description, seed, instances, timeline });
}

/** A subnet's network interfaces and NAT gateways need no more addresses than it can give. */
function checkCapacity(ctx: Ctx, root: Obj): void {
  const need = new Map<string, number>();
  const add = (subnet: string, n: number): void => {
    need.set(subnet, (need.get(subnet) ?? 0) + n);
  };
  for (const i of ctx.instances.values()) for (const e of i.interfaces) add(e.subnet, 1 + e.secondaryIps.length);
  for (const n of ctx.nats.values()) add(n.subnet, 1);
  for (const [name, n] of need) {
    const s = ctx.subnets.get(name)!;
    const usable = subnetSize(s.cidr) - 5;
    if (n > usable && root.subnets) {
      ctx.c.error(['subnets', name, 'cidr'], `subnet ${name} (${formatCidr(s.cidr)}) has ${usable} assignable addresses, but its network interfaces and NAT gateways hold ${n}`);
    }
  }
}

function assemble(
  ctx: Ctx,
  top: Pick<VpcScenarioSpec, 'name' | 'seed' | 'instances' | 'timeline'> & { description?: string },
): VpcScenarioSpec {
  const tableOf = new Map<string, string>();
  const aclOf = new Map<string, string>();
  for (const t of ctx.routeTables.values()) for (const s of t.subnets) tableOf.set(s, t.name);
  for (const a of ctx.nacls.values()) for (const s of a.subnets) aclOf.set(s, a.name);
  const mainOf = new Map([...ctx.routeTables.values()].filter((t) => t.main).map((t) => [t.vpc, t.name]));
  const defaultOf = new Map([...ctx.nacls.values()].filter((a) => a.isDefault).map((a) => [a.vpc, a.name]));
  const sortImplicit = <T extends { implicit: boolean }>(list: T[]): T[] => [...list.filter((x) => !x.implicit), ...list.filter((x) => x.implicit)];
  return {
    version: 1,
    platform: 'vpc',
    name: top.name,
    ...(top.description !== undefined ? { description: top.description } : {}),
    seed: top.seed,
    settings: ctx.settings,
    vpcs: [...ctx.vpcs.values()],
    subnets: [...ctx.subnets.values()].map((s) => ({
      ...s,
      routeTable: tableOf.get(s.name) ?? mainOf.get(s.vpc) ?? mainTableName(s.vpc),
      networkAcl: aclOf.get(s.name) ?? defaultOf.get(s.vpc) ?? defaultAclName(s.vpc),
    })),
    internetGateways: [...ctx.igws.values()],
    natGateways: [...ctx.nats.values()],
    vpnGateways: [...ctx.vgws.values()],
    prefixLists: [...ctx.prefixLists.values()],
    peerings: [...ctx.peerings.values()],
    transitGateways: [...ctx.tgws.values()],
    routeTables: sortImplicit([...ctx.routeTables.values()]),
    networkAcls: sortImplicit([...ctx.nacls.values()]),
    groups: sortImplicit([...ctx.groups.values()]),
    instances: top.instances,
    external: [...ctx.external.values()],
    timeline: top.timeline,
  };
}
