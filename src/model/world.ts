/**
 * model/world: the world as an immutable snapshot, and every change as a pure function.
 *
 * Owns: creating a world from its parts, reading it (instances by name, groups, EIPs), and the
 * changes of domain.md §2-§4 — authorize, revoke, launch, stop, start, terminate, associate,
 * disassociate — with EC2-Classic's lifecycle: stop releases the private and public IP and
 * disassociates the EIP; start assigns new ones; associating an EIP releases the dynamic public
 * IP (and moves the EIP from a former holder, which gets a new public IP); disassociating gives
 * a new one. Changes are written with immer (`produceWithPatches`): the patches are the change
 * log. Instances live in fixed shards so one change copies one shard, never the whole table.
 * Does not own: time (a change is applied when the fabric says), evaluation, or routing.
 */
import { enableMapSet, enablePatches, produceWithPatches, type Draft, type Patch } from 'immer';
import { formatIp, type Ip } from '../net/ipv4.ts';
import {
  defaultGroup,
  groupKey,
  sameRule,
  type ElasticIp,
  type ExternalHost,
  type Instance,
  type InstanceSpec,
  type Region,
  type Rule,
  type SecurityGroup,
} from './types.ts';
import { drawAddress, hashString, newPools, PRIVATE_POOL_BASE, PUBLIC_POOL_BASE, type AddressPools } from './addresses.ts';

enablePatches();
enableMapSet();

export const SHARD_COUNT = 256;

export type InstanceShard = Readonly<Record<string, Instance>>;

export interface World {
  readonly seed: string;
  readonly regions: Readonly<Record<string, Region>>;
  readonly groups: Readonly<Record<string, SecurityGroup>>;
  /** Instances by name, in SHARD_COUNT shards chosen by a hash of the name. */
  readonly instances: readonly InstanceShard[];
  readonly external: Readonly<Record<string, ExternalHost>>;
  /** Elastic IPs by address (decimal string of the uint32). */
  readonly eips: Readonly<Record<string, ElasticIp>>;
  readonly pools: AddressPools;
  /** Addresses the scenario declares anywhere; never handed out by the pools. */
  readonly reserved: ReadonlySet<Ip>;
}

export type Change =
  | { readonly kind: 'authorize' | 'revoke'; readonly group: string; readonly rule: Rule }
  | { readonly kind: 'launch'; readonly instance: InstanceSpec }
  | { readonly kind: 'stop' | 'start' | 'terminate'; readonly instance: string }
  | { readonly kind: 'associate'; readonly elasticIp: Ip; readonly instance: string }
  | { readonly kind: 'disassociate'; readonly elasticIp: Ip };

/** A change the world cannot take (the scenario loader rules these out for files). */
export class WorldError extends Error {
  override name = 'WorldError';
}

export function shardOf(name: string): number {
  return hashString(name) % SHARD_COUNT;
}

export interface WorldInput {
  readonly seed: string;
  readonly regions: readonly Region[];
  /** User-declared groups; regions without a declared `default` get the standard one. */
  readonly groups: readonly SecurityGroup[];
  readonly instances: readonly InstanceSpec[];
  readonly external: readonly { name: string; ip: Ip; services: ExternalHost['services'] }[];
  /** Extra addresses to keep out of the pools (for instance those launched later). */
  readonly reserved?: Iterable<Ip>;
}

/** Builds a world directly (no per-instance copy), for any size. */
export function createWorld(input: WorldInput): World {
  const regions: Record<string, Region> = {};
  for (const r of input.regions) regions[r.name] = r;
  const groups: Record<string, SecurityGroup> = {};
  for (const r of input.regions) groups[groupKey('default', r.name)] = defaultGroup(r.name);
  for (const g of input.groups) groups[g.key] = g;
  const reserved = new Set<Ip>(input.reserved ?? []);
  for (const s of input.instances) {
    for (const ip of [s.privateIp, s.publicIp, s.elasticIp]) if (ip !== undefined) reserved.add(ip);
  }
  for (const e of input.external) reserved.add(e.ip);
  const shards: Record<string, Instance>[] = Array.from({ length: SHARD_COUNT }, () => ({}));
  const eips: Record<string, ElasticIp> = {};
  let pools = newPools(input.seed);
  for (const spec of input.instances) {
    const [inst, nextPools] = materialize(spec, pools, reserved);
    pools = nextPools;
    const shard = shards[shardOf(spec.name)];
    if (shard[spec.name]) throw new WorldError(`instance ${spec.name} is declared twice`);
    shard[spec.name] = inst;
    if (inst.elasticIp !== null) eips[String(inst.elasticIp)] = { ip: inst.elasticIp, region: inst.region, instance: inst.name };
  }
  const external: Record<string, ExternalHost> = {};
  for (const e of input.external) external[e.name] = { name: e.name, ip: e.ip, services: e.services };
  return { seed: input.seed, regions, groups, instances: shards, external, eips, pools, reserved };
}

/** The instance a spec describes, with addresses drawn for what it does not declare. */
function materialize(spec: InstanceSpec, pools: AddressPools, reserved: ReadonlySet<Ip>): [Instance, AddressPools] {
  if (spec.state === 'stopped') return [instanceOf(spec, 'stopped', null, null, null), pools];
  let next = pools;
  let privateIp = spec.privateIp;
  if (privateIp === undefined) {
    const d = drawAddress(PRIVATE_POOL_BASE, next.nextPrivate, next.key, reserved);
    privateIp = d.ip;
    next = { ...next, nextPrivate: d.next };
  }
  let publicIp: Ip | null = spec.publicIp ?? null;
  if (spec.elasticIp === undefined && publicIp === null) {
    const d = drawAddress(PUBLIC_POOL_BASE, next.nextPublic, next.key ^ 0x5bd1e995, reserved);
    publicIp = d.ip;
    next = { ...next, nextPublic: d.next };
  }
  return [instanceOf(spec, 'running', privateIp, publicIp, spec.elasticIp ?? null), next];
}

/**
 * One object literal for every instance: V8 then gives all instances one hidden class. (Built
 * with a spread, `{ ...base, privateIp, … }`, each instance got a class of its own, ~300 bytes
 * more apiece, because addresses above 2^30 are stored as heap numbers and others as small
 * integers.)
 */
function instanceOf(spec: InstanceSpec, state: Instance['state'], privateIp: Ip | null, publicIp: Ip | null, elasticIp: Ip | null): Instance {
  return { name: spec.name, region: spec.region, zone: spec.zone, groups: spec.groups, services: spec.services, state, privateIp, publicIp, elasticIp };
}

// ---------------------------------------------------------------------------------------------
// Reading

export function getInstance(world: World, name: string): Instance | undefined {
  return world.instances[shardOf(name)][name];
}

export function getGroup(world: World, key: string): SecurityGroup | undefined {
  return world.groups[key];
}

/** Every instance, in a deterministic order (shard, then insertion order within the shard). */
export function* allInstances(world: World): Iterable<Instance> {
  for (const shard of world.instances) for (const name in shard) yield shard[name];
}

export function getElasticIp(world: World, ip: Ip): ElasticIp | undefined {
  return world.eips[String(ip)];
}

// ---------------------------------------------------------------------------------------------
// Changes (pure: world in, world out)

export function applyChange(world: World, change: Change): World {
  return applyChangeWithPatches(world, change)[0];
}

export function applyChangeWithPatches(world: World, change: Change): [World, Patch[]] {
  const [next, patches] = produceWithPatches(world, (draft) => {
    mutate(draft, world, change);
  });
  return [next, patches];
}

export function authorize(world: World, group: string, rule: Rule): World {
  return applyChange(world, { kind: 'authorize', group, rule });
}
export function revoke(world: World, group: string, rule: Rule): World {
  return applyChange(world, { kind: 'revoke', group, rule });
}
export function launch(world: World, instance: InstanceSpec): World {
  return applyChange(world, { kind: 'launch', instance });
}
export function stop(world: World, instance: string): World {
  return applyChange(world, { kind: 'stop', instance });
}
export function start(world: World, instance: string): World {
  return applyChange(world, { kind: 'start', instance });
}
export function terminate(world: World, instance: string): World {
  return applyChange(world, { kind: 'terminate', instance });
}
export function associate(world: World, elasticIp: Ip, instance: string): World {
  return applyChange(world, { kind: 'associate', elasticIp, instance });
}
export function disassociate(world: World, elasticIp: Ip): World {
  return applyChange(world, { kind: 'disassociate', elasticIp });
}

/** A group with one rule authorized or revoked (pure; shared by the world and the fabric's
 * view of the rules in force while a change propagates). */
export function changeRules(group: SecurityGroup, change: { kind: 'authorize' | 'revoke'; rule: Rule }): SecurityGroup {
  const i = group.ingress.findIndex((r) => sameRule(r, change.rule));
  if (change.kind === 'authorize') {
    if (i >= 0) throw new WorldError(`group ${group.name} already has this rule`);
    return { ...group, ingress: [...group.ingress, change.rule] };
  }
  if (i < 0) throw new WorldError(`group ${group.name} has no such rule to revoke`);
  return { ...group, ingress: group.ingress.filter((_, j) => j !== i) };
}

type DraftWorld = Draft<World>;

function draftInstance(draft: DraftWorld, name: string): Draft<Instance> {
  const inst = draft.instances[shardOf(name)][name];
  if (!inst) throw new WorldError(`unknown instance ${name}`);
  return inst;
}

function drawPrivate(draft: DraftWorld, world: World): Ip {
  const d = drawAddress(PRIVATE_POOL_BASE, draft.pools.nextPrivate, world.pools.key, world.reserved);
  draft.pools.nextPrivate = d.next;
  return d.ip;
}

function drawPublic(draft: DraftWorld, world: World): Ip {
  const d = drawAddress(PUBLIC_POOL_BASE, draft.pools.nextPublic, world.pools.key ^ 0x5bd1e995, world.reserved);
  draft.pools.nextPublic = d.next;
  return d.ip;
}

function releaseElasticIp(draft: DraftWorld, inst: Draft<Instance>): void {
  if (inst.elasticIp === null) return;
  const eip = draft.eips[String(inst.elasticIp)];
  if (eip) eip.instance = null;
  inst.elasticIp = null;
}

function mutate(draft: DraftWorld, world: World, change: Change): void {
  switch (change.kind) {
    case 'authorize':
    case 'revoke': {
      const g = world.groups[change.group];
      if (!g) throw new WorldError(`unknown group ${change.group}`);
      draft.groups[change.group] = changeRules(g, change) as Draft<SecurityGroup>;
      return;
    }
    case 'launch': {
      const spec = change.instance;
      if (getInstance(world, spec.name)) throw new WorldError(`instance ${spec.name} already exists`);
      const [inst, pools] = materialize(spec, world.pools, world.reserved);
      draft.pools = pools;
      draft.instances[shardOf(spec.name)][spec.name] = inst as Draft<Instance>;
      if (inst.elasticIp !== null) takeElasticIp(draft, world, inst.elasticIp, spec.name, inst.region);
      return;
    }
    case 'stop': {
      const inst = draftInstance(draft, change.instance);
      if (inst.state === 'terminated') throw new WorldError(`instance ${change.instance} is terminated`);
      if (inst.state === 'stopped') return;
      releaseElasticIp(draft, inst);
      inst.state = 'stopped';
      inst.privateIp = null;
      inst.publicIp = null;
      return;
    }
    case 'start': {
      const inst = draftInstance(draft, change.instance);
      if (inst.state === 'terminated') throw new WorldError(`instance ${change.instance} is terminated`);
      if (inst.state === 'running') return;
      inst.state = 'running';
      inst.privateIp = drawPrivate(draft, world);
      inst.publicIp = drawPublic(draft, world);
      return;
    }
    case 'terminate': {
      const inst = draftInstance(draft, change.instance);
      if (inst.state === 'terminated') return;
      releaseElasticIp(draft, inst);
      inst.state = 'terminated';
      inst.privateIp = null;
      inst.publicIp = null;
      return;
    }
    case 'associate': {
      const inst = draftInstance(draft, change.instance);
      if (inst.state !== 'running') throw new WorldError(`instance ${change.instance} is not running`);
      if (inst.elasticIp === change.elasticIp) return;
      takeElasticIp(draft, world, change.elasticIp, change.instance, inst.region);
      return;
    }
    case 'disassociate': {
      const eip = draft.eips[String(change.elasticIp)];
      if (!eip || eip.instance === null) return;
      const holder = draftInstance(draft, eip.instance);
      holder.elasticIp = null;
      holder.publicIp = drawPublic(draft, world);
      eip.instance = null;
      return;
    }
  }
}

/** Gives `ip` to `name`: the former holder gets a new public IP, the new holder loses its own. */
function takeElasticIp(draft: DraftWorld, world: World, ip: Ip, name: string, region: string): void {
  const key = String(ip);
  const existing = draft.eips[key];
  if (existing && existing.region !== region) {
    throw new WorldError(`Elastic IP ${formatIp(ip)} belongs to ${existing.region}, not ${region}`);
  }
  if (existing && existing.instance !== null && existing.instance !== name) {
    const former = draftInstance(draft, existing.instance);
    former.elasticIp = null;
    former.publicIp = drawPublic(draft, world);
  }
  const inst = draftInstance(draft, name);
  if (inst.elasticIp !== null && inst.elasticIp !== ip) {
    const old = draft.eips[String(inst.elasticIp)];
    if (old) old.instance = null;
  }
  inst.elasticIp = ip;
  inst.publicIp = null;
  draft.eips[key] = { ip, region, instance: name };
}
