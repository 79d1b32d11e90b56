/**
 * testing/blueprint: the "raw" random blueprint of a world and its timeline, and its arbitraries.
 *
 * Owns: plain records and arrays of small numbers (so fast-check's shrinking works on them),
 * the options that shape them (WorldOptions), and the arbitraries that draw them. A blueprint
 * means nothing by itself: testing/interpret.ts turns it into a valid ScenarioSpec.
 */
import fc from 'fast-check';
import { EPHEMERAL, RULE_PORT_POINTS, TRAFFIC_PORTS } from './plan.ts';

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

/** The options with every default filled in. */
export function withDefaults(options: WorldOptions): Required<WorldOptions> {
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

