/**
 * scenario/generate: realistic EC2-Classic worlds of any size, generated from a seed.
 *
 * Owns: one generation core (regions with real names and three zones each; security groups
 * split per region into tiers — web, app, db, cache, batch, ops — whose rules reference each
 * other inside their region (app admits from web, db and cache from app, batch from app and
 * itself, everything's ssh from ops), CIDR rules of varied prefix lengths, 80/443 open to
 * 0.0.0.0/0 on web groups, ssh from an office /24; instances spread over regions and zones,
 * each in one tier group (some also in their region's ops group) listening on its tier's
 * ports, 5% holding an Elastic IP; a few external hosts; optionally F traffic entries without
 * expectations) and its two outputs:
 *   - generateScenario(): the plain scenario DOCUMENT of scenario-format.md (version 1), as a
 *     YAML or JSON file would hold it, for validateScenario / runScenario / writing to disk;
 *   - generateWorldInput(): the in-memory WorldInput for createWorld, with no document in
 *     between (for worlds of 10^6 instances, whose document would be too big).
 * Both read the same plan in the same order, so they describe the same world. Deterministic:
 * the same options give the same output; the world, the instances and the flows draw from
 * separate seeded streams (seedrandom's alea), so asking for flows never changes the world.
 * Does not own: validating (scenario/load.ts) or building (model/world.ts) what it generates.
 */
import seedrandom from 'seedrandom';
import { formatIp, maskOf, type Ip } from '../net/ipv4.ts';
import type { PortRange } from '../net/protocol.ts';
import { groupKey, type InstanceSpec, type Rule, type RuleSource, type SecurityGroup, type Service } from '../model/types.ts';
import type { WorldInput } from '../model/world.ts';
import type { GroupDoc, InstanceDoc, RuleDoc, ScenarioDocument, TimelineEntryDoc } from './schema.ts';

// =============================================================================================
// Options and vocabulary

export interface GenerateOptions {
  /** Instances in all (spread over the regions). */
  readonly instances: number;
  /** User-declared security groups in all (each region's `default` group comes on top). */
  readonly groups: number;
  /** Ingress rules of every generated group (exactly this many, all distinct). */
  readonly rulesPerGroup: number;
  /** Number of regions, 1 to REGION_NAMES.length. */
  readonly regions: number;
  readonly seed: string | number;
  /** Traffic entries (connect / send / ping, without `expect`) in the document's timeline. */
  readonly flows?: number;
}

/** Real EC2 region names, the first eight being the regions EC2-Classic ran in. */
export const REGION_NAMES: readonly string[] = [
  'us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2', 'ap-northeast-1', 'sa-east-1', 'us-west-1', 'ap-southeast-1',
  'eu-central-1', 'ap-south-1', 'ca-central-1', 'eu-west-2', 'ap-northeast-2', 'eu-north-1', 'us-east-2', 'eu-west-3',
];

export const TIERS = ['web', 'app', 'db', 'cache', 'batch', 'ops'] as const;
export type Tier = (typeof TIERS)[number];

/** Share of instances per tier, and of groups beyond the first of each tier. */
const TIER_WEIGHTS: Readonly<Record<Tier, number>> = { web: 25, app: 33, db: 10, cache: 10, batch: 17, ops: 5 };

/** What each tier listens on (services), and the ports its rules open. */
export const TIER_PORTS: Readonly<Record<Tier, readonly PortRange[]>> = {
  web: [{ from: 80, to: 80 }, { from: 443, to: 443 }, { from: 22, to: 22 }],
  app: [{ from: 8080, to: 8080 }, { from: 8443, to: 8443 }, { from: 22, to: 22 }],
  db: [{ from: 5432, to: 5432 }, { from: 3306, to: 3306 }, { from: 22, to: 22 }],
  cache: [{ from: 6379, to: 6379 }, { from: 11211, to: 11211 }, { from: 22, to: 22 }],
  batch: [{ from: 8000, to: 8010 }, { from: 22, to: 22 }],
  ops: [{ from: 22, to: 22 }, { from: 9100, to: 9100 }],
};

/** The tiers whose groups a tier's rules reference (its clients), same region only. */
const UPSTREAM: Readonly<Record<Tier, readonly Tier[]>> = {
  web: [],
  app: ['web', 'batch'],
  db: ['app', 'batch'],
  cache: ['app', 'web'],
  batch: ['app', 'batch'],
  ops: [],
};

/** The office network that may ssh in, and the external hosts every world has. */
export const OFFICE_CIDR = { base: 0xc6336400, prefix: 24 } as const; // 198.51.100.0/24
export const EXTERNAL_HOSTS: readonly { name: string; ip: Ip; services: readonly string[] }[] = [
  { name: 'office-admin', ip: 0xc633640a, services: [] }, // 198.51.100.10
  { name: 'partner-api', ip: 0xcb007107, services: ['tcp/443'] }, // 203.0.113.7
  { name: 'monitor', ip: 0xc000020f, services: ['udp/514'] }, // 192.0.2.15
];

/** Elastic IPs of region r: 52.0.0.0 + r·2^20, skipping .0 and .255 of each /24. */
const EIP_BASE = 0x34000000;
const EIP_PER_REGION = (1 << 20) / 256 * 254;
export const EIP_SHARE = 0.05;
/** Share of instances that are also in their region's ops group. */
const OPS_MEMBER_SHARE = 0.2;

// =============================================================================================
// The plan: what both outputs are made from

/** A rule before it is written down: CIDR as integers, group by name. */
export interface RulePlan {
  readonly protocol: 'tcp' | 'udp' | 'icmp' | 'all';
  readonly ports?: PortRange;
  readonly icmp?: { readonly type: number; readonly code: number };
  readonly cidr?: { readonly base: Ip; readonly prefix: number };
  readonly group?: string;
  readonly description?: string;
}

export interface GroupPlan {
  readonly name: string;
  readonly region: number;
  readonly tier: Tier;
  readonly rules: readonly RulePlan[];
}

export interface RegionPlan {
  readonly name: string;
  readonly code: string;
  readonly zones: readonly string[];
  /** Group indices per tier (in TIERS order). */
  readonly tierGroups: readonly (readonly number[])[];
  /** Tiers (indices) that have at least one group here. */
  readonly tiers: readonly number[];
  /** Cumulative weights of `tiers`, for drawing an instance's tier. */
  readonly tierCumulative: readonly number[];
}

/** One instance as the generator decided it (transient: handed to a callback, then dropped). */
export interface InstancePlan {
  readonly index: number;
  readonly name: string;
  readonly region: number;
  readonly zone: number;
  readonly tier: Tier;
  /** Group indices (empty: the region's default group). */
  readonly groups: readonly number[];
  readonly elasticIp: Ip | null;
}

export interface Plan {
  readonly options: GenerateOptions;
  readonly seed: string;
  readonly regions: readonly RegionPlan[];
  readonly groups: readonly GroupPlan[];
}

function checkOptions(o: GenerateOptions): void {
  const int = (v: number, name: string, min: number): void => {
    if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`generate: ${name} must be an integer of at least ${min}, got ${v}`);
  };
  int(o.instances, 'instances', 0);
  int(o.groups, 'groups', 0);
  int(o.rulesPerGroup, 'rulesPerGroup', 0);
  int(o.regions, 'regions', 1);
  if (o.flows !== undefined) int(o.flows, 'flows', 0);
  if (o.regions > REGION_NAMES.length) throw new RangeError(`generate: at most ${REGION_NAMES.length} regions (${o.regions} asked)`);
  if (Math.ceil(o.instances / o.regions) * EIP_SHARE * 2 > EIP_PER_REGION) throw new RangeError('generate: too many instances per region for the Elastic IP range');
}

function regionCode(name: string): string {
  // us-east-1 -> use1, ap-southeast-2 -> apse2, eu-north-1 -> eun1
  const [geo, dir, num] = name.split('-');
  const d = dir.replace('north', 'n').replace('south', 's').replace('east', 'e').replace('west', 'w').replace('central', 'c');
  return `${geo}${d}${num}`;
}

type Rng = () => number;

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)];
}

function ruleKey(r: RulePlan): string {
  const what = r.protocol === 'icmp' ? `${r.icmp!.type}:${r.icmp!.code}` : r.ports ? `${r.ports.from}-${r.ports.to}` : '';
  const from = r.cidr ? `${r.cidr.base}/${r.cidr.prefix}` : `g:${r.group}`;
  return `${r.protocol}|${what}|${from}`;
}

const PRIVATE = { base: 0x0a000000, prefix: 8 } as const;
const ANYWHERE = { base: 0, prefix: 0 } as const;

/** A CIDR of a varied prefix length: inside 10.0.0.0/8 (8..28) or a public network (12..32). */
function randomCidr(rng: Rng): { base: Ip; prefix: number } {
  if (rng() < 0.5) {
    const prefix = 8 + Math.floor(rng() * 21);
    const ip = (0x0a000000 | Math.floor(rng() * 0x1000000)) >>> 0;
    return { base: (ip & maskOf(prefix)) >>> 0, prefix };
  }
  const prefix = 12 + Math.floor(rng() * 21);
  // Public unicast-looking first octets (1..223, not 10 or 127).
  let first = 1 + Math.floor(rng() * 223);
  if (first === 10 || first === 127) first += 1;
  const ip = ((first << 24) | Math.floor(rng() * 0x1000000)) >>> 0;
  return { base: (ip & maskOf(prefix)) >>> 0, prefix };
}

/** The rules every group of a tier starts with (group references stay in the region). */
function coreRules(rng: Rng, tier: Tier, region: RegionPlan, groups: readonly { name: string }[], self: string): RulePlan[] {
  const upstream = (t: Tier): string | null => {
    const list = region.tierGroups[TIERS.indexOf(t)];
    return list.length === 0 ? null : groups[pick(rng, list)].name;
  };
  const ops = upstream('ops');
  const rules: RulePlan[] = [];
  const tcp = (from: number, to: number, src: { cidr?: { base: Ip; prefix: number }; group?: string }, description: string): void => {
    rules.push({ protocol: 'tcp', ports: { from, to }, ...src, description });
  };
  const fromTier = (t: Tier, from: number, to: number, description: string): void => {
    const g = upstream(t);
    tcp(from, to, g ? { group: g } : { cidr: PRIVATE }, description);
  };
  switch (tier) {
    case 'web':
      tcp(80, 80, { cidr: ANYWHERE }, 'http from anywhere');
      tcp(443, 443, { cidr: ANYWHERE }, 'https from anywhere');
      tcp(22, 22, { cidr: OFFICE_CIDR }, 'ssh from the office');
      rules.push({ protocol: 'icmp', icmp: { type: 8, code: -1 }, cidr: PRIVATE, description: 'ping from inside' });
      break;
    case 'app':
      fromTier('web', 8080, 8080, 'from the web tier');
      fromTier('web', 8443, 8443, 'tls from the web tier');
      tcp(22, 22, ops ? { group: ops } : { cidr: OFFICE_CIDR }, 'ssh from ops');
      break;
    case 'db':
      fromTier('app', 5432, 5432, 'postgres from app');
      fromTier('app', 3306, 3306, 'mysql from app');
      tcp(22, 22, ops ? { group: ops } : { cidr: OFFICE_CIDR }, 'ssh from ops');
      break;
    case 'cache':
      fromTier('app', 6379, 6379, 'redis from app');
      fromTier('app', 11211, 11211, 'memcached from app');
      tcp(22, 22, ops ? { group: ops } : { cidr: OFFICE_CIDR }, 'ssh from ops');
      break;
    case 'batch':
      fromTier('app', 8000, 8010, 'jobs from app');
      rules.push({ protocol: 'all', group: self, description: 'workers talk to each other' });
      tcp(22, 22, ops ? { group: ops } : { cidr: OFFICE_CIDR }, 'ssh from ops');
      break;
    case 'ops':
      tcp(22, 22, { cidr: OFFICE_CIDR }, 'ssh from the office');
      rules.push({ protocol: 'icmp', icmp: { type: -1, code: -1 }, cidr: ANYWHERE, description: 'icmp from anywhere' });
      rules.push({ protocol: 'udp', ports: { from: 161, to: 161 }, cidr: PRIVATE, description: 'snmp from inside' });
      break;
  }
  return rules;
}

/** One more rule for a group of `tier`: its ports from a CIDR or an upstream group, or icmp/udp. */
function extraRule(rng: Rng, tier: Tier, region: RegionPlan, groups: readonly { name: string }[]): RulePlan {
  const u = rng();
  const ports = TIER_PORTS[tier];
  if (u < 0.55) {
    const p = pick(rng, ports);
    const cidr = randomCidr(rng);
    return { protocol: 'tcp', ports: p, cidr, description: cidr.base >>> 24 === 10 ? 'internal network' : 'partner network' };
  }
  if (u < 0.75) {
    const ups = UPSTREAM[tier].length > 0 ? UPSTREAM[tier] : (['ops'] as const);
    const list = region.tierGroups[TIERS.indexOf(pick(rng, ups))];
    if (list.length > 0) {
      const from = pick(rng, [...ports, { from: 9100, to: 9100 }, { from: 8000 + Math.floor(rng() * 1000), to: 0 }]);
      const range = from.to === 0 ? { from: from.from, to: from.from + Math.floor(rng() * 16) } : from;
      return { protocol: 'tcp', ports: range, group: groups[pick(rng, list)].name, description: 'from a sibling tier' };
    }
  }
  if (u < 0.85) {
    const t = rng();
    const icmp = t < 0.5 ? { type: 8, code: -1 } : t < 0.8 ? { type: 3, code: 4 } : { type: -1, code: -1 };
    return { protocol: 'icmp', icmp, cidr: randomCidr(rng) };
  }
  if (u < 0.95) {
    const from = 1024 + Math.floor(rng() * 60000);
    const width = rng() < 0.6 ? 0 : Math.floor(rng() * 100);
    return { protocol: 'udp', ports: { from, to: Math.min(65535, from + width) }, cidr: randomCidr(rng) };
  }
  const from = 1024 + Math.floor(rng() * 60000);
  return { protocol: 'tcp', ports: { from, to: Math.min(65535, from + Math.floor(rng() * 1000)) }, cidr: randomCidr(rng) };
}

/** Decides regions, groups and rules (instances are drawn later, one at a time). */
export function planWorld(options: GenerateOptions): Plan {
  checkOptions(options);
  const seed = String(options.seed);
  const rng = seedrandom.alea(`${seed}\u0000generate/groups`);
  const k = options.regions;

  // Groups per region and their tiers: one of each tier first, then by weight.
  const tierOf: Tier[][] = [];
  for (let r = 0; r < k; r++) {
    const count = Math.floor((options.groups * (r + 1)) / k) - Math.floor((options.groups * r) / k);
    const tiers: Tier[] = [];
    for (let j = 0; j < count; j++) tiers.push(j < TIERS.length ? TIERS[j] : weighted(rng, TIERS, TIER_WEIGHTS));
    tierOf.push(tiers);
  }
  const groupNames: { name: string; region: number; tier: Tier }[] = [];
  const regions: RegionPlan[] = [];
  for (let r = 0; r < k; r++) {
    const name = REGION_NAMES[r];
    const code = regionCode(name);
    const tierGroups: number[][] = TIERS.map(() => []);
    const seen = new Map<Tier, number>();
    for (const tier of tierOf[r]) {
      const n = seen.get(tier) ?? 0;
      seen.set(tier, n + 1);
      tierGroups[TIERS.indexOf(tier)].push(groupNames.length);
      groupNames.push({ name: `${code}-${tier}-${n + 1}`, region: r, tier });
    }
    const tiers = TIERS.map((_, i) => i).filter((i) => tierGroups[i].length > 0);
    let acc = 0;
    const tierCumulative = tiers.map((i) => (acc += TIER_WEIGHTS[TIERS[i]]));
    regions.push({ name, code, zones: ['a', 'b', 'c'].map((z) => `${name}${z}`), tierGroups, tiers, tierCumulative });
  }

  const groups: GroupPlan[] = groupNames.map((g) => {
    const region = regions[g.region];
    const rules: RulePlan[] = [];
    const keys = new Set<string>();
    const add = (rule: RulePlan): void => {
      if (rules.length >= options.rulesPerGroup) return;
      const key = ruleKey(rule);
      if (keys.has(key)) return;
      keys.add(key);
      rules.push(rule);
    };
    for (const rule of coreRules(rng, g.tier, region, groupNames, g.name)) add(rule);
    for (let tries = 0; rules.length < options.rulesPerGroup; tries++) {
      // Random CIDRs make a repeat rare; after many repeats fall back to certainly new ports.
      if (tries < options.rulesPerGroup * 20) add(extraRule(rng, g.tier, region, groupNames));
      else add({ protocol: 'tcp', ports: { from: tries % 65536, to: tries % 65536 }, cidr: randomCidr(rng) });
    }
    return { name: g.name, region: g.region, tier: g.tier, rules };
  });
  return { options, seed, regions, groups };
}

function weighted<T extends string>(rng: Rng, items: readonly T[], weights: Readonly<Record<T, number>>): T {
  let total = 0;
  for (const it of items) total += weights[it];
  let u = rng() * total;
  for (const it of items) {
    u -= weights[it];
    if (u < 0) return it;
  }
  return items[items.length - 1];
}

/** The n-th Elastic IP of region r. */
function elasticIp(region: number, n: number): Ip {
  if (n >= EIP_PER_REGION) throw new RangeError('generate: the Elastic IP range of a region is exhausted');
  return (EIP_BASE + region * (1 << 20) + Math.floor(n / 254) * 256 + (n % 254) + 1) >>> 0;
}

/**
 * Draws the instances in order and hands each to `visit` (no array of them is kept). Regions
 * take instances round-robin; zone, tier, group, ops membership and Elastic IP are drawn.
 */
export function forEachInstance(plan: Plan, visit: (inst: InstancePlan) => void): void {
  const rng = seedrandom.alea(`${plan.seed}\u0000generate/instances`);
  const n = plan.options.instances;
  const width = String(Math.max(0, n - 1)).length;
  const eipsUsed = new Int32Array(plan.regions.length);
  const opsTier = TIERS.indexOf('ops');
  for (let i = 0; i < n; i++) {
    const r = i % plan.regions.length;
    const region = plan.regions[r];
    const zone = Math.floor(rng() * region.zones.length);
    let tier: Tier = 'web';
    let groups: number[] = [];
    if (region.tiers.length > 0) {
      const total = region.tierCumulative[region.tierCumulative.length - 1];
      const u = rng() * total;
      let t = 0;
      while (region.tierCumulative[t] <= u) t++;
      const ti = region.tiers[t];
      tier = TIERS[ti];
      groups = [pick(rng, region.tierGroups[ti])];
      const ops = region.tierGroups[opsTier];
      if (tier !== 'ops' && ops.length > 0 && rng() < OPS_MEMBER_SHARE) groups.push(pick(rng, ops));
    }
    const eip = rng() < EIP_SHARE ? elasticIp(r, eipsUsed[r]++) : null;
    visit({ index: i, name: `${tier}-${region.code}-${String(i).padStart(width, '0')}`, region: r, zone, tier, groups, elasticIp: eip });
  }
}

// =============================================================================================
// Output 1: the in-memory WorldInput

function toRule(r: RulePlan): Rule {
  const source: RuleSource = r.cidr ? { kind: 'cidr', cidr: { base: r.cidr.base, prefix: r.cidr.prefix } } : { kind: 'group', group: r.group! };
  return {
    protocol: r.protocol,
    ...(r.ports ? { ports: r.ports } : {}),
    ...(r.icmp ? { icmp: r.icmp } : {}),
    source,
    ...(r.description !== undefined ? { description: r.description } : {}),
  };
}

function tierServices(tier: Tier): Service[] {
  return TIER_PORTS[tier].map((ports) => ({ protocol: 'tcp', ports }));
}

function parseServiceText(text: string): Service {
  const [protocol, ports] = text.split('/');
  const [from, to] = ports.split('-').map(Number);
  return { protocol: protocol as 'tcp' | 'udp', ports: { from, to: to ?? from } };
}

/** The world as createWorld takes it, directly (group names are their keys). */
export function generateWorldInput(options: GenerateOptions): WorldInput {
  const plan = planWorld(options);
  const groups: SecurityGroup[] = plan.groups.map((g) => ({
    key: g.name,
    name: g.name,
    region: plan.regions[g.region].name,
    description: `${g.tier} tier`,
    ingress: g.rules.map(toRule),
  }));
  // Shared per tier and per group list: a million instances hold references, not copies.
  const services = new Map<Tier, readonly Service[]>(TIERS.map((t) => [t, Object.freeze(tierServices(t))]));
  const groupLists = new Map<string, readonly string[]>();
  const listOf = (r: number, gs: readonly number[]): readonly string[] => {
    const id = gs.length === 0 ? `d${r}` : gs.join(',');
    let list = groupLists.get(id);
    if (!list) {
      list = Object.freeze(gs.length === 0 ? [groupKey('default', plan.regions[r].name)] : gs.map((g) => plan.groups[g].name));
      groupLists.set(id, list);
    }
    return list;
  };
  const instances: InstanceSpec[] = [];
  forEachInstance(plan, (inst) => {
    const region = plan.regions[inst.region];
    instances.push({
      name: inst.name,
      region: region.name,
      zone: region.zones[inst.zone],
      groups: listOf(inst.region, inst.groups),
      services: services.get(inst.tier)!,
      state: 'running',
      ...(inst.elasticIp !== null ? { elasticIp: inst.elasticIp } : {}),
    });
  });
  return {
    seed: plan.seed,
    regions: plan.regions.map((r) => ({ name: r.name, zones: r.zones })),
    groups,
    instances,
    external: EXTERNAL_HOSTS.map((e) => ({ name: e.name, ip: e.ip, services: e.services.map(parseServiceText) })),
  };
}

// =============================================================================================
// Output 2: the scenario document

function formatPortsDoc(p: PortRange): number | string {
  return p.from === p.to ? p.from : `${p.from}-${p.to}`;
}

function ruleDoc(r: RulePlan): RuleDoc {
  return {
    protocol: r.protocol,
    ...(r.ports ? { ports: formatPortsDoc(r.ports) } : {}),
    ...(r.icmp ? { icmp: { type: r.icmp.type, code: r.icmp.code } } : {}),
    from: r.cidr ? { cidr: `${formatIp(r.cidr.base)}/${r.cidr.prefix}` } : { group: r.group! },
    ...(r.description !== undefined ? { description: r.description } : {}),
  };
}

function serviceDocs(tier: Tier): string[] {
  return TIER_PORTS[tier].map((p) => `tcp/${formatPortsDoc(p)}`);
}

/** A plain scenario document (scenario-format.md, version 1) of a generated classic world. */
export function generateScenario(options: GenerateOptions): ScenarioDocument {
  const plan = planWorld(options);
  const groupsPerRegion = new Array<number>(plan.regions.length).fill(0);
  const groups: Record<string, GroupDoc> = {};
  for (const g of plan.groups) {
    groupsPerRegion[g.region]++;
    groups[g.name] = { region: plan.regions[g.region].name, description: `${g.tier} tier`, ingress: g.rules.map(ruleDoc) };
  }
  const instances: Record<string, InstanceDoc> = {};
  const names: string[] = [];
  const tiers: Tier[] = [];
  const withEip: boolean[] = [];
  forEachInstance(plan, (inst) => {
    const region = plan.regions[inst.region];
    instances[inst.name] = {
      region: region.name,
      zone: region.zones[inst.zone],
      ...(inst.groups.length > 0 ? { groups: inst.groups.map((g) => plan.groups[g].name) } : {}),
      services: serviceDocs(inst.tier),
      ...(inst.elasticIp !== null ? { elasticIp: formatIp(inst.elasticIp) } : {}),
    };
    names.push(inst.name);
    tiers.push(inst.tier);
    withEip.push(inst.elasticIp !== null);
  });
  const external: Record<string, { ip: string; services: string[] }> = {};
  for (const e of EXTERNAL_HOSTS) external[e.name] = { ip: formatIp(e.ip), services: [...e.services] };

  const limits = {
    rulesPerGroup: Math.max(100, options.rulesPerGroup),
    groupsPerRegion: Math.max(500, ...groupsPerRegion.map((n) => n + 1)),
  };
  const doc: ScenarioDocument = {
    version: 1,
    name: `generated classic world (${options.instances} instances, ${options.groups} groups, seed ${plan.seed})`,
    description:
      `Generated by sgsim's scenario generator: ${options.regions} region(s), ${options.groups} groups of ` +
      `${options.rulesPerGroup} rules in tiers (${TIERS.join(', ')}), ${Math.round(EIP_SHARE * 100)}% of instances with Elastic IPs.`,
    platform: 'classic',
    seed: plan.seed,
    settings: { limits },
    regions: Object.fromEntries(plan.regions.map((r) => [r.name, { zones: [...r.zones] }])),
    groups,
    instances,
    external,
    timeline: generateFlows(plan, options.flows ?? 0, names, tiers, withEip),
  };
  return doc;
}

/** F traffic entries, 1 ms apart, between random instances and to the external hosts. */
function generateFlows(plan: Plan, count: number, names: readonly string[], tiers: readonly Tier[], withEip: readonly boolean[]): TimelineEntryDoc[] {
  const rng = seedrandom.alea(`${plan.seed}\u0000generate/flows`);
  const entries: TimelineEntryDoc[] = [];
  if (names.length === 0) return entries;
  const externals = EXTERNAL_HOSTS.map((e) => e.name);
  for (let i = 0; i < count; i++) {
    const fromExternal = rng() < 0.1;
    const from = fromExternal ? pick(rng, externals) : names[Math.floor(rng() * names.length)];
    let to: string;
    let tier: Tier | null = null;
    if (rng() < 0.9) {
      const d = Math.floor(rng() * names.length);
      tier = tiers[d];
      const u = rng();
      const kind = u < 0.4 ? 'private' : u < 0.7 ? 'public' : u < 0.9 ? 'dns' : withEip[d] ? 'eip' : 'public';
      to = `${names[d]}.${kind}`;
    } else {
      to = pick(rng, externals);
    }
    const port = (): number => {
      if (tier !== null && rng() < 0.75) {
        const p = pick(rng, TIER_PORTS[tier]);
        return p.from + Math.floor(rng() * (p.to - p.from + 1));
      }
      return pick(rng, [22, 53, 80, 443, 514, 3306, 5432, 6379, 8080, 9100, 11211]);
    };
    const at = `${i}ms`;
    const u = rng();
    if (u < 0.6) entries.push({ at, connect: { from, to, port: port() } });
    else if (u < 0.85) entries.push({ at, send: { from, to, port: port(), count: 1 + Math.floor(rng() * 3) } });
    else entries.push({ at, ping: { from, to } });
  }
  return entries;
}
