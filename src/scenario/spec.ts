/**
 * scenario/spec: the in-memory scenario, the one form that YAML, JSON and the TypeScript
 * builder all compile to (scenario-format.md, version 1).
 *
 * Owns: the normalized, fully defaulted and validated shape a run starts from: durations in
 * integer nanoseconds, addresses as uint32, group names resolved to group keys, timeline
 * sorted by time (file order kept for equal times).
 * Does not own: parsing or validation (scenario/load.ts), running (scenario/run.ts).
 */
import type { Ip } from '../net/ipv4.ts';
import type { FlowOutcome } from '../fabric/flows.ts';
import type { Rule, InstanceSpec, Region, SecurityGroup, Service } from '../model/types.ts';

/** Simulated time and durations are integer nanoseconds. */
export type Nanos = number;

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

export interface LatencySettings {
  /** Private path, both ends in one zone. */
  readonly sameZone: Nanos;
  /** Private path between zones of one region. */
  readonly crossZone: Nanos;
  /** Instance to instance of one region over a public IP / EIP (NAT). */
  readonly publicPath: Nanos;
  /** Instance to instance in different regions. */
  readonly crossRegion: Nanos;
  /** Anything to or from a host outside AWS. */
  readonly internet: Nanos;
  /** Fraction of the latency: each packet's latency is scaled by 1 ± up to jitter. */
  readonly jitter: number;
}

/** The longest any packet can take under these settings: the slowest path at its largest jitter. */
export function slowestLatency(l: LatencySettings): Nanos {
  return Math.max(l.sameZone, l.crossZone, l.publicPath, l.crossRegion, l.internet) * (1 + Math.max(0, l.jitter));
}

export interface Settings {
  readonly latency: LatencySettings;
  readonly tcp: { readonly synRetries: number; readonly initialRto: Nanos };
  readonly conntrack: {
    readonly tcpEstablished: Nanos;
    readonly tcpHandshake: Nanos;
    readonly udp: Nanos;
    readonly udpStream: Nanos;
    readonly icmp: Nanos;
  };
  readonly propagationDelay: Nanos;
  readonly limits: { readonly rulesPerGroup: number; readonly groupsPerRegion: number };
  /** How long a ping waits for its reply. */
  readonly pingTimeout: Nanos;
}

/** The domain's defaults (domain.md §5-§6, scenario-format.md). */
export const DEFAULT_SETTINGS: Settings = {
  latency: {
    sameZone: 100 * NS_PER_US,
    crossZone: 500 * NS_PER_US,
    publicPath: 1 * NS_PER_MS,
    crossRegion: 40 * NS_PER_MS,
    internet: 20 * NS_PER_MS,
    jitter: 0.1,
  },
  tcp: { synRetries: 6, initialRto: 1 * NS_PER_S },
  conntrack: {
    tcpEstablished: 432_000 * NS_PER_S,
    tcpHandshake: 120 * NS_PER_S,
    udp: 30 * NS_PER_S,
    udpStream: 180 * NS_PER_S,
    icmp: 30 * NS_PER_S,
  },
  propagationDelay: 0,
  limits: { rulesPerGroup: 100, groupsPerRegion: 500 },
  pingTimeout: 2 * NS_PER_S,
};

/** An address as a scenario names it (scenario-format.md "Addresses"). */
export type AddressSpec =
  | { readonly kind: 'private' | 'public' | 'eip' | 'dns'; readonly instance: string }
  | { readonly kind: 'external'; readonly host: string }
  | { readonly kind: 'ip'; readonly ip: Ip };

/** What became of a flow (one definition: fabric/flows.ts FlowOutcome, which the fabric records). */
export type Outcome = FlowOutcome;

export type PathKind = 'private' | 'public';

export interface Expectation {
  readonly outcome?: Outcome;
  readonly path?: PathKind;
  readonly redirected?: boolean;
  readonly source?: AddressSpec;
  readonly code?: string;
}

export type Action =
  | { readonly kind: 'connect'; readonly from: string; readonly to: AddressSpec; readonly port: number }
  | { readonly kind: 'send'; readonly from: string; readonly to: AddressSpec; readonly port: number; readonly count: number }
  | { readonly kind: 'ping'; readonly from: string; readonly to: AddressSpec }
  /** sgsim extension: one data segment over an open connection, client to server. */
  | { readonly kind: 'transfer'; readonly connection: string }
  | { readonly kind: 'close'; readonly connection: string }
  | { readonly kind: 'authorize' | 'revoke'; readonly group: string; readonly rule: Rule }
  | { readonly kind: 'launch'; readonly instance: InstanceSpec }
  | { readonly kind: 'stop' | 'start' | 'terminate'; readonly instance: string }
  | { readonly kind: 'associate'; readonly elasticIp: Ip; readonly instance: string }
  | { readonly kind: 'disassociate'; readonly elasticIp: Ip };

export type ActionKind = Action['kind'];

export const TRAFFIC_ACTIONS: readonly ActionKind[] = ['connect', 'send', 'ping', 'transfer'];

/** Outcomes each traffic action can have. */
export const OUTCOMES: Readonly<Partial<Record<ActionKind, readonly Outcome[]>>> = {
  connect: ['connected', 'refused', 'timeout'],
  send: ['delivered', 'dropped'],
  ping: ['replied', 'timeout'],
  transfer: ['delivered', 'dropped'],
};

export interface TimelineEntry {
  readonly at: Nanos;
  /** Names the flow in the report; also what `close`/`transfer` refer to. */
  readonly id?: string;
  /** Position in the file's timeline (0-based). */
  readonly index: number;
  readonly action: Action;
  readonly expect?: Expectation;
  /**
   * sgsim extension for bulk traffic (connect, send, ping): the action runs `count` times,
   * `every` apart, starting at `at`; each repetition is a flow of its own.
   */
  readonly repeat?: { readonly every: Nanos; readonly count: number };
}

export interface ExternalSpec {
  readonly name: string;
  readonly ip: Ip;
  readonly services: readonly Service[];
}

export interface ScenarioSpec {
  readonly version: 1;
  readonly name: string;
  readonly description?: string;
  readonly platform: 'classic';
  readonly seed: string;
  readonly settings: Settings;
  readonly regions: readonly Region[];
  /** User-declared groups, group keys resolved; each region's default group is implicit unless declared. */
  readonly groups: readonly SecurityGroup[];
  readonly instances: readonly InstanceSpec[];
  readonly external: readonly ExternalSpec[];
  /** Sorted by `at`, file order kept for equal times. */
  readonly timeline: readonly TimelineEntry[];
}
