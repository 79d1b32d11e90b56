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
import type { AddressSpec, Rule, InstanceSpec, Region, SecurityGroup, Service } from '../model/types.ts';
import type { Nanos, Settings } from '../model/settings.ts';

// The run's settings and the way a scenario names an address live below the fabric, which
// reads them (model/settings.ts, model/types.ts); re-exported here as part of the spec.
export { DEFAULT_SETTINGS, NS_PER_MS, NS_PER_S, NS_PER_US, slowestLatency } from '../model/settings.ts';
export type { LatencySettings, Nanos, Settings } from '../model/settings.ts';
export type { AddressSpec } from '../model/types.ts';

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
