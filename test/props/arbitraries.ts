/**
 * test/props/arbitraries: fast-check arbitraries that build valid ScenarioSpec objects directly.
 *
 * Owns: a "raw" random blueprint (plain records and arrays of small numbers, so fast-check's
 * shrinking works on it) and `buildSpec`, a pure interpreter that turns a blueprint into a
 * valid, normalized ScenarioSpec (the shape scenario/load.ts produces). The interpreter tracks
 * the world while it writes the timeline — the rules each group holds, every instance's
 * lifecycle, Elastic IP holders, connection ids — so that every revoke names a rule held at that
 * time, every authorize a rule absent, every associate a running instance, and so on. Choices
 * that would be invalid at their point in time are dropped (the blueprint still shrinks).
 *
 * Address plan (all distinct by construction):
 *   private    10.<region>.<salt>.<10+n>      n = instance number (launches included)
 *   public     54.<10+region>.<salt>.<10+n>
 *   EIP pool   203.0.<113+region>.1..4        (one pool per region: an EIP belongs to one region)
 *   external   EXTERNAL_IPS
 *   unheld     UNHELD_IPS (addresses no host ever holds, for NO_ROUTE_TO_DESTINATION)
 * Traffic ports avoid the Linux ephemeral range 32768-60999 that source ports come from, so a
 * destination port never equals some earlier flow's source port (see KNOWN_BUG_GUARDS).
 */
import fc from 'fast-check';
import { DEFAULT_SETTINGS, NS_PER_S } from '../../src/scenario/spec.ts';
import type { Action, AddressSpec, ExternalSpec, ScenarioSpec, Settings, TimelineEntry } from '../../src/scenario/spec.ts';
import type { InstanceSpec, Region, Rule, RuleSource, SecurityGroup, Service } from '../../src/model/types.ts';
import type { Ip } from '../../src/net/ipv4.ts';

// ---------------------------------------------------------------------------------------------
// Address plan and vocabulary

export function ip(a: number, b: number, c: number, d: number): Ip {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

export const REGION_NAMES = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
export const EXTERNAL_IPS: readonly Ip[] = [ip(1, 2, 3, 4), ip(198, 51, 100, 7), ip(192, 0, 2, 10), ip(8, 8, 8, 8)];
export const UNHELD_IPS: readonly Ip[] = [ip(192, 0, 2, 250), ip(10, 200, 0, 1), ip(54, 200, 0, 1)];
export const EIPS_PER_REGION = 4;

export function eipPool(region: number): Ip[] {
  return Array.from({ length: EIPS_PER_REGION }, (_, i) => ip(203, 0, 113 + region, 1 + i));
}

export function isPlanEip(a: Ip): boolean {
  return a >>> 24 === 203 && ((a >>> 16) & 255) === 0 && ((a >>> 8) & 255) >= 113 && ((a >>> 8) & 255) < 113 + REGION_NAMES.length && (a & 255) >= 1 && (a & 255) <= EIPS_PER_REGION;
}

/** Destination ports of generated traffic: rule edges and their neighbours. */
export const TRAFFIC_PORTS = [
  0, 1, 2, 21, 22, 23, 53, 79, 80, 81, 442, 443, 444, 3305, 3306, 3307, 8079, 8080, 8081, 32766, 32767, 61000, 65533, 65534, 65535,
] as const;
/** Port range endpoints of generated rules and services. */
export const RULE_PORT_POINTS = [0, 1, 22, 80, 443, 3306, 8080, 32767, 65534, 65535] as const;
/** Source ports come from here (Linux's ip_local_port_range); traffic never targets it. */
export const EPHEMERAL = { from: 32768, to: 60999 } as const;

export const sec = (s: number): number => s * NS_PER_S;

// ---------------------------------------------------------------------------------------------
// Raw blueprint

export type RawProto = 'tcp' | 'udp' | 'icmp' | 'all';
export type RawSource = { readonly cidr: { readonly anchor: number; readonly prefix: number; readonly random: number | null } } | { readonly group: number };

export interface RawRule {
  readonly protocol: RawProto;
  readonly ports: readonly [number, number];
  readonly icmp: readonly [number, number];
  readonly source: RawSource;
  readonly description: boolean;
}

export interface RawService {
  readonly protocol: 'tcp' | 'udp';
  readonly ports: readonly [number, number];
}

export interface RawInstance {
  readonly region: number;
  readonly zone: number;
  readonly groups: readonly number[];
  readonly services: readonly RawService[];
  readonly eip: number | null;
  readonly salt: number;
  readonly declare: boolean;
  readonly stopped: boolean;
}

export interface RawRegion {
  readonly zones: number;
  readonly groups: readonly (readonly RawRule[])[];
}

export interface RawExternal {
  readonly ip: number;
  readonly services: readonly RawService[];
}

export type AddressKind = 'private' | 'public' | 'eip' | 'dns' | 'external' | 'ip';

export type RawAction =
  | {
      readonly kind: 'connect' | 'send' | 'ping';
      readonly from: number;
      readonly toKind: AddressKind;
      readonly to: number;
      readonly port: number;
      readonly count: number;
      /** When set, the port is an edge (from-1, from, to, to+1) of one of the receiver's rules. */
      readonly edge: number | null;
    }
  | { readonly kind: 'transfer'; readonly conn: number }
  | { readonly kind: 'authorize'; readonly group: number; readonly rule: RawRule }
  | { readonly kind: 'revoke'; readonly group: number; readonly pick: number }
  | { readonly kind: 'stop' | 'start' | 'terminate'; readonly inst: number }
  | { readonly kind: 'associate'; readonly eip: number; readonly inst: number }
  | { readonly kind: 'disassociate'; readonly eip: number }
  | { readonly kind: 'launch'; readonly instance: RawInstance };

export interface RawWorld {
  readonly regions: readonly RawRegion[];
  /** Rules of region 0's `default` group when it is declared (null: the standard self-reference). */
  readonly defaultRules: readonly RawRule[] | null;
  readonly instances: readonly RawInstance[];
  readonly externals: readonly RawExternal[];
  readonly timeline: readonly RawAction[];
  readonly propagationDelayS: number;
}

export interface WorldOptions {
  readonly regions?: { readonly min: number; readonly max: number };
  readonly instances?: { readonly min: number; readonly max: number };
  readonly externals?: { readonly min: number; readonly max: number };
  readonly timeline?: { readonly min: number; readonly max: number };
  readonly rulesPerGroup?: number;
  /** Which instances declare their addresses: all, a random some, or none (the allocator's). */
  readonly declare?: 'all' | 'some' | 'none';
  readonly ruleChanges?: boolean;
  /** stop/start/terminate in the timeline, and instances initially stopped. */
  readonly lifecycle?: boolean;
  /** `terminate` without stop/start (keeps every address known). */
  readonly terminate?: boolean;
  /** Elastic IPs: none; declared and associated only while free (addresses stay known); any moves. */
  readonly eips?: 'none' | 'free' | 'any';
  readonly launch?: boolean;
  readonly transfers?: boolean;
  readonly traffic?: readonly ('connect' | 'send' | 'ping')[];
  readonly toKinds?: readonly AddressKind[];
  /** Latency jitter (default 0, for exact comparisons). */
  readonly jitter?: number;
  /** Propagation delay in seconds: a number, or 'random' (0..300 s, drawn). */
  readonly propagationDelay?: number | 'random';
  /** Seconds between timeline entries (default 200: longer than a TCP connect timeout of 127 s). */
  readonly spacingS?: number;
  /** Relative weight of group-sourced rules. */
  readonly groupSourceWeight?: number;
  /** Relative weight of CIDR-sourced rules (default 3). */
  readonly cidrSourceWeight?: number;
  /** CIDR rules admit every source (0.0.0.0/0): verdicts then hinge on protocol and ports. */
  readonly anywhere?: boolean;
  /** Instances may be in their region's default group (default true; else a declared group). */
  readonly defaultMembership?: boolean;
  /** Keep the region 0 `default` group declared with generated rules sometimes. */
  readonly overrideDefault?: boolean;
  /** Steer around shapes the domain leaves open (see KNOWN_BUG_GUARDS). Default true. */
  readonly guardKnownBugs?: boolean;
}

/**
 * Known src bugs the generators steer around (each has its own failing property, `it.fails`,
 * in invariants.test.ts, so the other properties keep testing everything else):
 *  B2: launching an instance with an Elastic IP that another instance holds moves the EIP in
 *      the world (the former holder gets a new public IP) but the fabric never re-syncs the
 *      former holder: it keeps sending from the EIP and its new public IP routes nowhere; when
 *      the two talk over UDP/TCP services, packets bounce forever and the run never ends.
 *      Guard: a launch (or a declaration) only takes a free Elastic IP; EIPs move by associate.
 *      B2 is now fixed (Fabric.applyChange re-syncs the former holder on launch); the guard
 *      stays because the oracle does not model an EIP moved by a launch, and the regression
 *      property in invariants.test.ts and test/regressions/b2-*.yaml cover the shape.
 * And one domain gap (not a bug): a tracked flow is keyed by its 5-tuple (addresses + echo id
 * for icmp), so when an Elastic IP moves, its new holder's flows can meet its former holder's
 * tracked (or idled-out) entries with the same ports or echo ids — both hosts count source
 * ports and echo ids from the same start. domain.md does not say what happens then. Guard: an
 * Elastic IP is a traffic source for one host per run.
 * Traffic to oneself is not generated either (the domain does not say what it is).
 * (Bug B1 — ICMP tracking that ignored the echo direction — was fixed in src while these were
 * written; its guard is gone and invariants.test.ts keeps a regression property.)
 */
export const KNOWN_BUG_GUARDS: readonly string[] = ['B2'];

// ---------------------------------------------------------------------------------------------
// Leaf arbitraries

const portPoint = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...RULE_PORT_POINTS) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }) },
);

export const portRangeArb: fc.Arbitrary<readonly [number, number]> = fc.oneof(
  portPoint.map((p) => [p, p] as const),
  fc.tuple(portPoint, portPoint).map(([a, b]) => (a <= b ? ([a, b] as const) : ([b, a] as const))),
  fc.constant([0, 65535] as const),
);

/** Destination ports: rule edges ±1 mostly, anything outside the ephemeral range sometimes. */
export const trafficPortArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TRAFFIC_PORTS) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0, max: 65535 - (EPHEMERAL.to - EPHEMERAL.from + 1) })
      .map((p) => (p >= EPHEMERAL.from ? p + (EPHEMERAL.to - EPHEMERAL.from + 1) : p)),
  },
);

export const icmpArb: fc.Arbitrary<readonly [number, number]> = fc.oneof(
  fc.constant([-1, -1] as const),
  fc.tuple(fc.constantFrom(8, 0, 3, 11), fc.constantFrom(-1, 0, 1)),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: -1, max: 255 })),
);

export const prefixArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(32, 0, 8, 16, 24) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 32 }) },
);

const cidrArb = fc.record({
  anchor: fc.nat(),
  prefix: prefixArb,
  random: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) }),
});

export function ruleArb(groupSourceWeight = 2, cidrSourceWeight = 3): fc.Arbitrary<RawRule> {
  const sources: fc.WeightedArbitrary<RawSource>[] = [];
  if (cidrSourceWeight > 0) sources.push({ weight: cidrSourceWeight, arbitrary: cidrArb.map((cidr) => ({ cidr })) });
  if (groupSourceWeight > 0) sources.push({ weight: groupSourceWeight, arbitrary: fc.nat().map((group) => ({ group })) });
  const source: fc.Arbitrary<RawSource> = fc.oneof(...sources);
  return fc.record({
    protocol: fc.oneof(
      { weight: 3, arbitrary: fc.constant<RawProto>('tcp') },
      { weight: 2, arbitrary: fc.constant<RawProto>('udp') },
      { weight: 2, arbitrary: fc.constant<RawProto>('icmp') },
      { weight: 2, arbitrary: fc.constant<RawProto>('all') },
    ),
    ports: portRangeArb,
    icmp: icmpArb,
    source,
    description: fc.boolean(),
  });
}

export const serviceArb: fc.Arbitrary<RawService> = fc.record({
  protocol: fc.oneof(fc.constant<'tcp' | 'udp'>('tcp'), fc.constant<'tcp' | 'udp'>('udp')),
  ports: fc.oneof(portRangeArb, fc.constant([0, 65535] as const)),
});

/** A host's listeners: a few random ones, or tcp and udp on every port (half the time). */
export const servicesArb: fc.Arbitrary<readonly RawService[]> = fc.oneof(
  fc.array(serviceArb, { maxLength: 3 }),
  fc.constant([
    { protocol: 'tcp', ports: [0, 65535] },
    { protocol: 'udp', ports: [0, 65535] },
  ] as const),
);

export function instanceArb(lifecycle: boolean): fc.Arbitrary<RawInstance> {
  return fc.record({
    region: fc.nat(),
    zone: fc.nat(),
    groups: fc.array(fc.nat(), { maxLength: 3 }),
    services: servicesArb,
    eip: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
    salt: fc.nat({ max: 3 }),
    declare: fc.boolean(),
    stopped: lifecycle ? fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }) : fc.constant(false),
  });
}

const TO_KIND_WEIGHTS: Readonly<Record<AddressKind, number>> = { private: 5, public: 5, dns: 2, external: 2, eip: 1, ip: 1 };

function toKindArb(kinds: readonly AddressKind[]): fc.Arbitrary<AddressKind> {
  return fc.oneof(...kinds.map((k) => ({ weight: TO_KIND_WEIGHTS[k], arbitrary: fc.constant(k) })));
}

function actionArb(o: Required<WorldOptions>): fc.Arbitrary<RawAction> {
  const arbs: fc.WeightedArbitrary<RawAction>[] = [
    {
      weight: 12,
      arbitrary: fc.record({
        kind: fc.constantFrom(...o.traffic),
        from: fc.nat(),
        toKind: toKindArb(o.toKinds),
        to: fc.nat(),
        port: trafficPortArb,
        count: fc.integer({ min: 1, max: 3 }),
        edge: fc.oneof(fc.constant(null), fc.nat()),
      }),
    },
  ];
  if (o.transfers) arbs.push({ weight: 3, arbitrary: fc.record({ kind: fc.constant('transfer' as const), conn: fc.nat() }) });
  if (o.ruleChanges) {
    arbs.push({ weight: 4, arbitrary: fc.record({ kind: fc.constant('authorize' as const), group: fc.nat(), rule: ruleArb(o.groupSourceWeight, o.cidrSourceWeight) }) });
    arbs.push({ weight: 3, arbitrary: fc.record({ kind: fc.constant('revoke' as const), group: fc.nat(), pick: fc.nat() }) });
  }
  if (o.lifecycle) {
    arbs.push({ weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('stop' as const, 'start' as const), inst: fc.nat() }) });
  }
  if (o.lifecycle || o.terminate) arbs.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant('terminate' as const), inst: fc.nat() }) });
  if (o.eips !== 'none') arbs.push({ weight: 2, arbitrary: fc.record({ kind: fc.constant('associate' as const), eip: fc.nat(), inst: fc.nat() }) });
  if (o.eips === 'any') arbs.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant('disassociate' as const), eip: fc.nat() }) });
  if (o.launch) arbs.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant('launch' as const), instance: instanceArb(false) }) });
  return fc.oneof(...arbs);
}

function withDefaults(options: WorldOptions): Required<WorldOptions> {
  return {
    regions: options.regions ?? { min: 1, max: 3 },
    instances: options.instances ?? { min: 1, max: 6 },
    externals: options.externals ?? { min: 0, max: 2 },
    timeline: options.timeline ?? { min: 0, max: 16 },
    rulesPerGroup: options.rulesPerGroup ?? 4,
    declare: options.declare ?? 'some',
    ruleChanges: options.ruleChanges ?? true,
    lifecycle: options.lifecycle ?? false,
    terminate: options.terminate ?? false,
    eips: options.eips ?? 'free',
    launch: options.launch ?? true,
    transfers: options.transfers ?? true,
    traffic: options.traffic ?? ['connect', 'send', 'ping'],
    toKinds: options.toKinds ?? ['private', 'public', 'eip', 'dns', 'external', 'ip'],
    jitter: options.jitter ?? 0,
    propagationDelay: options.propagationDelay ?? 0,
    spacingS: options.spacingS ?? 200,
    groupSourceWeight: options.groupSourceWeight ?? 2,
    cidrSourceWeight: options.cidrSourceWeight ?? 3,
    anywhere: options.anywhere ?? false,
    defaultMembership: options.defaultMembership ?? true,
    overrideDefault: options.overrideDefault ?? true,
    guardKnownBugs: options.guardKnownBugs ?? true,
  };
}

/** The raw blueprint of a world and its timeline. */
export function rawWorldArb(options: WorldOptions = {}): fc.Arbitrary<RawWorld> {
  const o = withDefaults(options);
  const rule = ruleArb(o.groupSourceWeight, o.cidrSourceWeight);
  return fc.record({
    regions: fc.array(
      fc.record({
        zones: fc.integer({ min: 1, max: 2 }),
        groups: fc.array(fc.array(rule, { maxLength: o.rulesPerGroup }), { minLength: 1, maxLength: 4 }),
      }),
      { minLength: o.regions.min, maxLength: o.regions.max },
    ),
    defaultRules: o.overrideDefault
      ? fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.array(rule, { maxLength: 3 }) })
      : fc.constant(null),
    instances: fc.array(instanceArb(o.lifecycle), { minLength: o.instances.min, maxLength: o.instances.max }),
    externals: fc.array(fc.record({ ip: fc.nat(), services: servicesArb }), {
      minLength: o.externals.min,
      maxLength: o.externals.max,
    }),
    timeline: fc.array(actionArb(o), { minLength: o.timeline.min, maxLength: o.timeline.max, size: 'medium' }),
    propagationDelayS: o.propagationDelay === 'random' ? fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })) : fc.constant(o.propagationDelay),
  });
}

/** Valid scenario specs (see the module comment). */
export function specArb(options: WorldOptions = {}): fc.Arbitrary<ScenarioSpec> {
  return rawWorldArb(options).map((raw) => buildSpec(raw, options));
}

// ---------------------------------------------------------------------------------------------
// The interpreter

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function sameRuleP(a: Rule, b: Rule): boolean {
  if (a.protocol !== b.protocol) return false;
  if ((a.ports?.from ?? -2) !== (b.ports?.from ?? -2) || (a.ports?.to ?? -2) !== (b.ports?.to ?? -2)) return false;
  if ((a.icmp?.type ?? -2) !== (b.icmp?.type ?? -2) || (a.icmp?.code ?? -2) !== (b.icmp?.code ?? -2)) return false;
  if (a.source.kind === 'cidr' && b.source.kind === 'cidr') return a.source.cidr.base === b.source.cidr.base && a.source.cidr.prefix === b.source.cidr.prefix;
  if (a.source.kind === 'group' && b.source.kind === 'group') return a.source.group === b.source.group;
  return false;
}

export function defaultKey(region: string): string {
  return `default/${region}`;
}

export function standardDefaultRule(region: string): Rule {
  return { protocol: 'all', source: { kind: 'group', group: defaultKey(region) } };
}

interface ITrack {
  readonly name: string;
  readonly region: string;
  readonly regionIndex: number;
  state: 'running' | 'stopped' | 'terminated';
  /** Addresses known to the interpreter (declared ones, while still held). */
  priv: Ip | null;
  pub: Ip | null;
  eip: Ip | null;
}

function buildRule(raw: RawRule, keys: readonly string[], anchors: readonly Ip[], anywhere = false): Rule {
  let source: RuleSource;
  if ('group' in raw.source) source = { kind: 'group', group: keys[raw.source.group % keys.length] };
  else if (anywhere) source = { kind: 'cidr', cidr: { base: 0, prefix: 0 } };
  else {
    const c = raw.source.cidr;
    const anchor = c.random ?? anchors[c.anchor % anchors.length];
    source = { kind: 'cidr', cidr: { base: (anchor & maskOf(c.prefix)) >>> 0, prefix: c.prefix } };
  }
  const type = raw.icmp[0];
  const code = type < 0 ? -1 : raw.icmp[1];
  return {
    protocol: raw.protocol,
    ...(raw.protocol === 'tcp' || raw.protocol === 'udp' ? { ports: { from: raw.ports[0], to: raw.ports[1] } } : {}),
    ...(raw.protocol === 'icmp' ? { icmp: { type, code } } : {}),
    source,
    ...(raw.description ? { description: `r-${raw.protocol}` } : {}),
  };
}

function buildServices(raw: readonly RawService[]): Service[] {
  return raw.map((s) => ({ protocol: s.protocol, ports: { from: s.ports[0], to: s.ports[1] } }));
}

export function settingsWith(over: { jitter?: number; propagationDelay?: number; conntrack?: Partial<Settings['conntrack']> } = {}): Settings {
  return {
    ...DEFAULT_SETTINGS,
    latency: { ...DEFAULT_SETTINGS.latency, jitter: over.jitter ?? DEFAULT_SETTINGS.latency.jitter },
    conntrack: { ...DEFAULT_SETTINGS.conntrack, ...(over.conntrack ?? {}) },
    propagationDelay: over.propagationDelay ?? 0,
  };
}

/** Turns a blueprint into a valid spec (pure; see the module comment). */
export function buildSpec(raw: RawWorld, options: WorldOptions = {}): ScenarioSpec {
  const o = withDefaults(options);
  const regions: Region[] = raw.regions.map((r, i) => ({
    name: REGION_NAMES[i],
    zones: Array.from({ length: r.zones }, (_, z) => `${REGION_NAMES[i]}${'ab'[z]}`),
  }));
  // Group names and keys first (rules may refer to any group of their region).
  const keysByRegion: string[][] = regions.map(() => []);
  const groupRegion = new Map<string, number>();
  let gCount = 0;
  raw.regions.forEach((r, ri) => {
    for (let g = 0; g < r.groups.length; g++) {
      const name = `G${++gCount}`;
      keysByRegion[ri].push(name);
      groupRegion.set(name, ri);
    }
  });
  regions.forEach((r, ri) => {
    keysByRegion[ri].push(defaultKey(r.name));
    groupRegion.set(defaultKey(r.name), ri);
  });
  const allKeys = keysByRegion.flat();

  // Addresses.
  const claimed = new Set<Ip>();
  const externals: ExternalSpec[] = [];
  raw.externals.forEach((e, i) => {
    let k = e.ip % EXTERNAL_IPS.length;
    for (let n = 0; n < EXTERNAL_IPS.length && claimed.has(EXTERNAL_IPS[k]); n++) k = (k + 1) % EXTERNAL_IPS.length;
    if (claimed.has(EXTERNAL_IPS[k])) return;
    claimed.add(EXTERNAL_IPS[k]);
    externals.push({ name: `x${i + 1}`, ip: EXTERNAL_IPS[k], services: buildServices(e.services) });
  });

  const tracks = new Map<string, ITrack>();
  const groupsOf = new Map<string, readonly string[]>();
  const eipHolder = new Map<Ip, string | null>();
  const eipDeclared = new Set<Ip>();
  let instanceNumber = 0;

  const declares = (r: RawInstance): boolean => o.declare === 'all' || (o.declare === 'some' && r.declare);
  const materialize = (r: RawInstance, name: string, launched: boolean): InstanceSpec | null => {
    const n = instanceNumber++;
    if (n >= 240) return null;
    const ri = r.region % regions.length;
    const region = regions[ri];
    const keys = keysByRegion[ri];
    const groups: string[] = [];
    const choices = o.defaultMembership ? keys : keys.filter((k) => !k.startsWith('default/'));
    for (const g of r.groups) {
      const k = choices[g % choices.length];
      if (!groups.includes(k)) groups.push(k);
    }
    if (groups.length === 0) groups.push(o.defaultMembership ? defaultKey(region.name) : choices[0]);
    const stopped = !launched && r.stopped && o.lifecycle;
    let eip: Ip | undefined;
    if (!stopped && r.eip !== null && o.eips !== 'none') {
      const candidate = eipPool(ri)[r.eip % EIPS_PER_REGION];
      const holder = eipHolder.get(candidate);
      const free = holder === undefined || holder === null;
      // B2 guard: never launch (or declare) with an Elastic IP another instance holds.
      if (!eipDeclared.has(candidate) && free) eip = candidate;
    }
    let privateIp: Ip | undefined;
    let publicIp: Ip | undefined;
    if (!stopped && declares(r)) {
      privateIp = ip(10, ri, r.salt, 10 + n);
      if (eip === undefined) publicIp = ip(54, 10 + ri, r.salt, 10 + n);
    }
    const spec: InstanceSpec = {
      name,
      region: region.name,
      zone: region.zones[r.zone % region.zones.length],
      groups,
      ...(privateIp !== undefined ? { privateIp } : {}),
      ...(publicIp !== undefined ? { publicIp } : {}),
      ...(eip !== undefined ? { elasticIp: eip } : {}),
      services: buildServices(r.services),
      state: stopped ? 'stopped' : 'running',
    };
    if (privateIp !== undefined) claimed.add(privateIp);
    if (publicIp !== undefined) claimed.add(publicIp);
    if (eip !== undefined) {
      const former = eipHolder.get(eip);
      if (former) {
        const f = tracks.get(former)!;
        f.eip = null;
        f.pub = null; // a new dynamic public IP, unknown here
      }
      eipDeclared.add(eip);
      eipHolder.set(eip, name);
    }
    groupsOf.set(name, groups);
    tracks.set(name, {
      name,
      region: region.name,
      regionIndex: ri,
      state: stopped ? 'stopped' : 'running',
      priv: privateIp ?? null,
      pub: publicIp ?? null,
      eip: eip ?? null,
    });
    return spec;
  };

  const instances: InstanceSpec[] = [];
  raw.instances.forEach((r, i) => {
    const spec = materialize(r, `i${i + 1}`, false);
    if (spec) instances.push(spec);
  });

  // CIDR anchors: every planned address, plus the allocator's pools.
  const anchors: Ip[] = [
    ...instances.flatMap((s) => [s.privateIp, s.publicIp, s.elasticIp].filter((a): a is Ip => a !== undefined)),
    ...externals.map((e) => e.ip),
    ...regions.flatMap((_, ri) => eipPool(ri)),
    ip(10, 0, 0, 0),
    ip(54, 0, 0, 0),
    ...UNHELD_IPS,
  ];

  // Groups with their rules.
  const rules = new Map<string, Rule[]>();
  const groups: SecurityGroup[] = [];
  raw.regions.forEach((r, ri) => {
    r.groups.forEach((rawRules, gi) => {
      const key = keysByRegion[ri][gi];
      const list: Rule[] = [];
      for (const rr of rawRules) {
        const rule = buildRule(rr, keysByRegion[ri], anchors, o.anywhere);
        if (!list.some((x) => sameRuleP(x, rule))) list.push(rule);
      }
      rules.set(key, list);
      groups.push({ key, name: key, region: regions[ri].name, ingress: [...list] });
    });
  });
  regions.forEach((region, ri) => {
    const key = defaultKey(region.name);
    if (ri === 0 && raw.defaultRules !== null && o.overrideDefault) {
      const list: Rule[] = [];
      for (const rr of raw.defaultRules) {
        const rule = buildRule(rr, keysByRegion[ri], anchors, o.anywhere);
        if (!list.some((x) => sameRuleP(x, rule))) list.push(rule);
      }
      rules.set(key, list);
      groups.push({ key, name: 'default', region: region.name, ingress: [...list] });
    } else {
      rules.set(key, [standardDefaultRule(region.name)]);
    }
  });

  // The timeline.
  const timeline: TimelineEntry[] = [];
  const connects: string[] = [];
  const eipSources = new Map<Ip, string>();
  let flowCount = 0;
  let launchCount = 0;
  const spacing = sec(o.spacingS);
  const push = (action: Action, id?: string): void => {
    const index = timeline.length;
    timeline.push({ at: index * spacing, ...(id !== undefined ? { id } : {}), index, action });
  };
  const existing = (): ITrack[] => [...tracks.values()];
  const holderOf = (a: Ip): string | null => {
    for (const t of tracks.values()) if (t.state === 'running' && (t.priv === a || t.pub === a || t.eip === a)) return t.name;
    for (const e of externals) if (e.ip === a) return e.name;
    return null;
  };
  const universe: Ip[] = [
    ...anchors.filter((a) => (a & 255) !== 0),
  ];
  const guard = o.guardKnownBugs;

  for (const a of raw.timeline) {
    switch (a.kind) {
      case 'connect':
      case 'send':
      case 'ping': {
        const hosts = [...existing().map((t) => t.name), ...externals.map((e) => e.name)];
        const from = hosts[a.from % hosts.length];
        const sender = tracks.get(from);
        let to: AddressSpec;
        let receiver: string | null;
        let address: Ip | null = null; // the address used, when known
        const others = existing().filter((t) => t.name !== from);
        const otherExternals = externals.filter((e) => e.name !== from);
        let kind = a.toKind;
        if ((kind === 'private' || kind === 'public' || kind === 'eip' || kind === 'dns') && others.length === 0) kind = 'ip';
        if (kind === 'external' && otherExternals.length === 0) kind = 'ip';
        if (kind === 'external') {
          const e = otherExternals[a.to % otherExternals.length];
          to = { kind: 'external', host: e.name };
          receiver = e.name;
          address = e.ip;
        } else if (kind === 'ip') {
          address = universe[a.to % universe.length];
          to = { kind: 'ip', ip: address };
          receiver = holderOf(address);
        } else {
          const t = others[a.to % others.length];
          to = { kind, instance: t.name };
          receiver = t.state === 'running' ? t.name : null;
          const publicAddress = t.eip ?? t.pub;
          address =
            kind === 'private'
              ? t.priv
              : kind === 'public'
                ? publicAddress
                : kind === 'eip'
                  ? t.eip
                  : sender && sender.region === t.region
                    ? t.priv
                    : publicAddress;
        }
        if (receiver === from) break; // no traffic to oneself
        if (guard) {
          const srcEip = sender && sender.state === 'running' ? sender.eip : null;
          if (srcEip !== null) {
            const user = eipSources.get(srcEip);
            if (user !== undefined && user !== from) break;
            eipSources.set(srcEip, from);
          }
        }
        let port = a.port;
        const target = receiver !== null ? tracks.get(receiver) : undefined;
        if (a.edge !== null && target && a.kind !== 'ping') {
          // A port at an edge of one of the receiver's rules for this protocol.
          const proto = a.kind === 'connect' ? 'tcp' : 'udp';
          const ranges = groupsOf.get(target.name)!.flatMap((k) => rules.get(k)!.filter((r) => r.protocol === proto).map((r) => r.ports!));
          if (ranges.length > 0) {
            const r = ranges[a.edge % ranges.length];
            const edges = [r.from - 1, r.from, r.to, r.to + 1].filter((p) => p >= 0 && p <= 65535 && (p < EPHEMERAL.from || p > EPHEMERAL.to));
            if (edges.length > 0) port = edges[Math.floor(a.edge / ranges.length) % edges.length];
          }
        }
        const id = `f${++flowCount}`;
        if (a.kind === 'connect') {
          connects.push(id);
          push({ kind: 'connect', from, to, port }, id);
        } else if (a.kind === 'send') push({ kind: 'send', from, to, port, count: a.count }, id);
        else push({ kind: 'ping', from, to }, id);
        break;
      }
      case 'transfer': {
        if (connects.length === 0) break;
        const conn = connects[a.conn % connects.length];
        if (guard) {
          // The transfer's sender is the connect's sender.
          const entry = timeline.find((e) => e.id === conn)!;
          const from = (entry.action as { from: string }).from;
          const sender = tracks.get(from);
          const srcEip = sender && sender.state === 'running' ? sender.eip : null;
          if (srcEip !== null) {
            const user = eipSources.get(srcEip);
            if (user !== undefined && user !== from) break;
            eipSources.set(srcEip, from);
          }
        }
        push({ kind: 'transfer', connection: conn }, `f${++flowCount}`);
        break;
      }
      case 'authorize': {
        const key = allKeys[a.group % allKeys.length];
        const ri = groupRegion.get(key)!;
        const rule = buildRule(a.rule, keysByRegion[ri], anchors, o.anywhere);
        const list = rules.get(key)!;
        if (list.some((x) => sameRuleP(x, rule)) || list.length >= 100) break;
        list.push(rule);
        push({ kind: 'authorize', group: key, rule });
        break;
      }
      case 'revoke': {
        const key = allKeys[a.group % allKeys.length];
        const list = rules.get(key)!;
        if (list.length === 0) break;
        const [rule] = list.splice(a.pick % list.length, 1);
        push({ kind: 'revoke', group: key, rule });
        break;
      }
      case 'stop':
      case 'start':
      case 'terminate': {
        const all = existing();
        if (all.length === 0) break;
        const t = all[a.inst % all.length];
        if (t.state === 'terminated') break;
        if (a.kind === 'start') {
          if (t.state === 'running') break;
          t.state = 'running';
          t.priv = null; // new addresses, from the allocator
          t.pub = null;
        } else {
          if (a.kind === 'stop' && t.state === 'stopped') break;
          if (t.eip !== null) eipHolder.set(t.eip, null);
          t.state = a.kind === 'stop' ? 'stopped' : 'terminated';
          t.priv = null;
          t.pub = null;
          t.eip = null;
        }
        push({ kind: a.kind, instance: t.name });
        break;
      }
      case 'associate': {
        const running = existing().filter((t) => t.state === 'running');
        if (running.length === 0) break;
        const t = running[a.inst % running.length];
        const eip = eipPool(t.regionIndex)[a.eip % EIPS_PER_REGION];
        const holder = eipHolder.get(eip) ?? null;
        if (holder === t.name) break;
        if (holder !== null && o.eips !== 'any') break;
        if (holder !== null) {
          const f = tracks.get(holder)!;
          f.eip = null;
          f.pub = null;
        }
        if (t.eip !== null) eipHolder.set(t.eip, null);
        t.eip = eip;
        t.pub = null;
        eipHolder.set(eip, t.name);
        push({ kind: 'associate', elasticIp: eip, instance: t.name });
        break;
      }
      case 'disassociate': {
        const known = [...eipHolder.keys()];
        if (known.length === 0) break;
        const eip = known[a.eip % known.length];
        const holder = eipHolder.get(eip) ?? null;
        if (holder !== null) {
          const h = tracks.get(holder)!;
          h.eip = null;
          h.pub = null;
        }
        eipHolder.set(eip, null);
        push({ kind: 'disassociate', elasticIp: eip });
        break;
      }
      case 'launch': {
        const name = `l${++launchCount}`;
        const spec = materialize(a.instance, name, true);
        if (!spec) break;
        for (const addr of [spec.privateIp, spec.publicIp, spec.elasticIp]) if (addr !== undefined) universe.push(addr);
        push({ kind: 'launch', instance: spec });
        break;
      }
    }
  }

  const settings = settingsWith({ jitter: o.jitter, propagationDelay: sec(raw.propagationDelayS) });
  return {
    version: 1,
    name: 'property case',
    platform: 'classic',
    seed: '1',
    settings,
    regions,
    groups,
    instances,
    external: externals,
    timeline,
  };
}

// ---------------------------------------------------------------------------------------------
// Spec transformations used by several properties

/** The addresses CIDR rules are anchored at for a spec (every planned address and pool). */
export function anchorsOf(spec: ScenarioSpec): Ip[] {
  const inst = [...spec.instances, ...spec.timeline.flatMap((e) => (e.action.kind === 'launch' ? [e.action.instance] : []))];
  return [
    ...inst.flatMap((s) => [s.privateIp, s.publicIp, s.elasticIp].filter((a): a is Ip => a !== undefined)),
    ...spec.external.map((e) => e.ip),
    ...spec.regions.flatMap((_, ri) => eipPool(ri)),
    ip(10, 0, 0, 0),
    ip(54, 0, 0, 0),
    ...UNHELD_IPS,
  ];
}

/** A concrete rule for group `key` of a spec from a raw rule (group sources stay in its region). */
export function ruleFromRaw(spec: ScenarioSpec, key: string, raw: RawRule): Rule {
  const regions = groupRegions(spec);
  const region = regions.get(key)!;
  const keys = [...regions.entries()].filter(([, r]) => r === region).map(([k]) => k);
  return buildRule(raw, keys, anchorsOf(spec));
}

/** The rules of every group as the world starts (the region's standard default unless declared). */
export function initialRules(spec: ScenarioSpec): Map<string, Rule[]> {
  const m = new Map<string, Rule[]>();
  for (const r of spec.regions) m.set(defaultKey(r.name), [standardDefaultRule(r.name)]);
  for (const g of spec.groups) m.set(g.key, [...g.ingress]);
  return m;
}

/** The region of every group key. */
export function groupRegions(spec: ScenarioSpec): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of spec.regions) m.set(defaultKey(r.name), r.name);
  for (const g of spec.groups) m.set(g.key, g.region);
  return m;
}

/** Replaces (or declares) one group's initial rules. */
export function withGroupRules(spec: ScenarioSpec, key: string, ingress: readonly Rule[]): ScenarioSpec {
  const region = groupRegions(spec).get(key)!;
  const exists = spec.groups.some((g) => g.key === key);
  const groups = exists
    ? spec.groups.map((g) => (g.key === key ? { ...g, ingress: [...ingress] } : g))
    : [...spec.groups, { key, name: key.startsWith('default/') ? 'default' : key, region, ingress: [...ingress] }];
  return { ...spec, groups };
}

/** Shifts the whole timeline later by `ns`. */
export function shifted(spec: ScenarioSpec, ns: number): ScenarioSpec {
  return { ...spec, timeline: spec.timeline.map((e) => ({ ...e, at: e.at + ns })) };
}

/** Every rule a group holds at any time of the run (initial ones and those the timeline changes). */
export function rulesEverHeld(spec: ScenarioSpec, key: string): Rule[] {
  const out = [...(initialRules(spec).get(key) ?? [])];
  for (const e of spec.timeline) if ((e.action.kind === 'authorize' || e.action.kind === 'revoke') && e.action.group === key) out.push(e.action.rule);
  return out;
}

/** Adds entries to a timeline (sorted by time, file order kept for equal times, re-indexed). */
export function withEntries(spec: ScenarioSpec, extra: readonly Omit<TimelineEntry, 'index'>[]): ScenarioSpec {
  const merged: Omit<TimelineEntry, 'index'>[] = [...spec.timeline, ...extra];
  const sorted = merged.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  return { ...spec, timeline: sorted.map(({ e }, index) => ({ ...e, index }) as TimelineEntry) };
}

/**
 * TCP, conntrack and latency settings for the differential properties (fastforward, plan):
 * few or many SYN retries, short or long RTOs, handshake timeouts shorter than the
 * retransmission gaps, latencies longer than the RTOs.
 */
export const tcpSettingsArb = fc.record({
  synRetries: fc.integer({ min: 0, max: 6 }),
  initialRtoMs: fc.constantFrom(200, 1000, 3000),
  tcpHandshakeS: fc.constantFrom(1, 5, 64, 120),
  // Latencies up to longer than the RTOs, so SYNs and answers are still travelling when
  // changes come (B9: an answer to a SYN admitted before the last change)
  slowMs: fc.constantFrom(1, 500, 1900, 50_000),
});

export function withTcp(spec: ScenarioSpec, t: { synRetries: number; initialRtoMs: number; tcpHandshakeS: number; slowMs: number }): ScenarioSpec {
  const s = spec.settings;
  const slow = t.slowMs * 1e6;
  return {
    ...spec,
    settings: {
      ...s,
      latency: { ...s.latency, publicPath: slow, crossRegion: slow, internet: slow },
      tcp: { ...s.tcp, synRetries: t.synRetries, initialRto: t.initialRtoMs * 1e6 },
      conntrack: { ...s.conntrack, tcpHandshake: sec(t.tcpHandshakeS) },
    },
  };
}
