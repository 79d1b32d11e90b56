/**
 * scenario/vpc/replay: the world as the timeline's static replay sees it at each entry.
 *
 * Owns: the state the replay tracks in time order (each instance's lifecycle, each ENI's
 * private IPs and groups, who holds each Elastic IP, each group's rules by direction, each
 * NACL's entries by direction and number, each route table's static and propagated routes,
 * subnets' explicit route-table and NACL associations, each VPC's main table, connect ids),
 * built from the validated sections, and the lookups actions share ("does this exist now?",
 * with the entry that removed it or will create it).
 * Does not own: what any action does to it (changes.ts, traffic.ts).
 */
import type { Ip } from '../../net/ipv4.ts';
import { NS_PER_MS, NS_PER_S, NS_PER_US, type Nanos } from '../spec.ts';
import { formatPath } from '../diagnostics.ts';
import { absent, type Path } from './checker.ts';
import { reference, type Ctx } from './context.ts';
import { routeKey } from './routing.ts';
import { ALL_OUT } from './groups.ts';
import type { Direction, NaclEntrySpec, RouteSpec, VpcInstanceSpec, VpcRule } from './spec.ts';
import type { ActionKey } from './vocabulary.ts';

export function formatTime(ns: Nanos): string {
  if (ns % NS_PER_S === 0) return `${ns / NS_PER_S}s`;
  if (ns % NS_PER_MS === 0) return `${ns / NS_PER_MS}ms`;
  if (ns % NS_PER_US === 0) return `${ns / NS_PER_US}us`;
  return `${ns}ns`;
}

export function entryRef(index: number, at: Nanos): string {
  return `timeline[${index}] at ${formatTime(at)}`;
}

/** One timeline entry after its first look. */
export interface EntryDoc {
  readonly index: number;
  readonly path: Path;
  readonly at: Nanos;
  readonly id?: string;
  readonly action?: ActionKey;
  readonly body: unknown;
  readonly expect: unknown;
  readonly repeat?: { readonly every: Nanos; readonly count: number };
}

export interface InstanceTrack {
  state: 'running' | 'stopped' | 'terminated';
  terminatedBy?: string;
  spec?: VpcInstanceSpec;
}
export interface EniTrack {
  readonly instance: string;
  readonly vpc: string;
  readonly primary?: Ip;
  readonly secondary: readonly Ip[];
}
export interface RuleTrack { readonly rule: VpcRule; readonly origin: string }

export class Replay {
  readonly instances = new Map<string, InstanceTrack>();
  readonly enis = new Map<string, EniTrack>();
  /** Instance Elastic IPs: who holds each now (null: allocated, held by none). */
  readonly eips = new Map<Ip, { eni: string; privateIp?: Ip } | null>();
  readonly rules = new Map<string, Record<Direction, RuleTrack[]>>();
  readonly entries = new Map<string, Record<Direction, Map<number, NaclEntrySpec>>>();
  readonly routes = new Map<string, Map<string, RouteSpec>>();
  readonly tableOf = new Map<string, string>();
  readonly mainOf = new Map<string, string>();
  readonly aclOf = new Map<string, string>();
  readonly defaultAclOf = new Map<string, string>();
  readonly connects = new Map<string, { index: number; closedBy?: number }>();
  readonly ids = new Map<string, EntryDoc>();
  now: Nanos = 0;

  constructor(readonly ctx: Ctx, entries: readonly EntryDoc[]) {
    for (const spec of ctx.instances.values()) this.addInstance(spec);
    for (const [name, info] of ctx.names) {
      // Declared instances whose spec was invalid still exist (no cascades).
      if (info.kind === 'instance' && !info.launch && !this.instances.has(name)) this.instances.set(name, { state: 'running' });
    }
    for (const g of ctx.groups.values()) {
      this.rules.set(g.key, {
        ingress: g.ingress.map((rule, i) => ({ rule, origin: g.implicit ? 'the default group\'s own rule' : formatPath(['groups', g.name, 'ingress', i]) })),
        egress: g.egress.map((rule, i) => ({
          rule,
          origin: g.implicit || rule === ALL_OUT ? 'the default egress rule (all out)' : formatPath(['groups', g.name, 'egress', i]),
        })),
      });
    }
    for (const acl of ctx.nacls.values()) {
      this.entries.set(acl.name, { ingress: new Map(acl.ingress.map((e) => [e.number, e])), egress: new Map(acl.egress.map((e) => [e.number, e])) });
      for (const s of acl.subnets) this.aclOf.set(s, acl.name);
      if (acl.isDefault) this.defaultAclOf.set(acl.vpc, acl.name);
    }
    for (const t of ctx.routeTables.values()) {
      this.routes.set(t.name, new Map(t.routes.map((r) => [routeKey(r), r])));
      for (const s of t.subnets) this.tableOf.set(s, t.name);
      if (t.main) this.mainOf.set(t.vpc, t.name);
    }
    for (const e of entries) if (e.id !== undefined) this.ids.set(e.id, e);
  }

  addInstance(spec: VpcInstanceSpec): void {
    this.instances.set(spec.name, { state: spec.state, spec });
    for (const eni of spec.interfaces) {
      this.enis.set(eni.name, { instance: spec.name, vpc: eni.vpc, ...(eni.privateIp !== undefined ? { primary: eni.privateIp } : {}), secondary: eni.secondaryIps });
      for (const b of eni.elasticIps) this.eips.set(b.ip, { eni: eni.name, ...(b.privateIp !== undefined ? { privateIp: b.privateIp } : {}) });
    }
  }

  /** Whether an instance exists at this point of the run; reports a use before its launch. */
  launched(name: string, path: Path): boolean {
    if (this.instances.has(name)) return true;
    const launch = this.ctx.names.get(name)?.launch;
    this.ctx.c.error(path, launch
      ? `instance ${name} does not exist yet at ${formatTime(this.now)}: it is launched by ${entryRef(launch.index, launch.at)}`
      : `instance ${name} does not exist at ${formatTime(this.now)}`);
    return false;
  }

  /** An instance that exists now and is not terminated; `verb` says what was asked of it. */
  liveInstance(v: unknown, path: Path, verb: string): string | undefined {
    if (absent(v)) {
      this.ctx.c.error(path, `name the instance to ${verb}`);
      return undefined;
    }
    const name = reference(this.ctx, v, path, ['instance'], 'instance');
    if (name === undefined || !this.launched(name, path)) return undefined;
    const track = this.instances.get(name)!;
    if (track.state === 'terminated') {
      this.ctx.c.error(path, `instance ${name} is terminated (by ${track.terminatedBy}); it cannot be told to ${verb}`);
      return undefined;
    }
    return name;
  }

  /** The ENI `{ instance | interface }` names, existing now; with `instance`, its lone ENI or (`eth0`) its first. */
  targetEni(o: Record<string, unknown>, path: Path, verb: string, instanceMeans: 'lone' | 'eth0'): string | undefined {
    const { c } = this.ctx;
    const hasI = !absent(o.instance);
    const hasE = !absent(o.interface);
    if (hasI === hasE) {
      c.error(path, hasI ? 'give instance or interface, not both' : 'give instance or interface (the network interface to change)');
      return undefined;
    }
    if (hasE) {
      const eni = reference(this.ctx, o.interface, [...path, 'interface'], ['network interface', 'instance'], 'network interface');
      if (eni === undefined) return undefined;
      const info = this.ctx.names.get(eni)!;
      const owner = info.kind === 'instance' ? eni : info.owner!;
      if (this.liveInstance(owner, [...path, 'interface'], verb) === undefined) return undefined;
      const spec = this.instances.get(owner)?.spec;
      if (info.kind === 'instance' && spec && spec.interfaces.length > 1) {
        c.error([...path, 'interface'], `${eni} is an instance with ${spec.interfaces.length} network interfaces; name one (${spec.interfaces.map((e) => e.name).join(', ')})`);
        return undefined;
      }
      return this.enis.has(eni) ? eni : undefined;
    }
    const name = this.liveInstance(o.instance, [...path, 'instance'], verb);
    const spec = name === undefined ? undefined : this.instances.get(name)?.spec;
    if (!spec) return undefined;
    if (instanceMeans === 'lone' && spec.interfaces.length > 1) {
      c.error([...path, 'instance'], `instance ${spec.name} has ${spec.interfaces.length} network interfaces; name one with interface (${spec.interfaces.map((e) => e.name).join(', ')})`);
      return undefined;
    }
    return spec.interfaces[0].name;
  }
}
