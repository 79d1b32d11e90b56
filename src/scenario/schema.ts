/**
 * scenario/schema: a scenario document as a person writes it (scenario-format.md, version 1).
 *
 * Owns: the TypeScript types of the written form (what YAML, JSON and the builder produce before
 * validation), the format's vocabulary (field names, action keys, outcomes, explanation codes)
 * and the pure parsers of its leaf notations: durations (`1.5s`), port ranges (`8000-8080`),
 * ICMP matches (`8:-1`), services (`tcp/3306`) and the syntax of address specs (`web1.private`).
 * Each parser returns the value or `{ error }` with a sentence that says what was expected.
 * Does not own: field paths, name resolution or any check that needs the rest of the scenario
 * (scenario/load.ts), nor the normalized spec (scenario/spec.ts).
 */
import { parseIp, type Ip } from '../net/ipv4.ts';
import type { IcmpMatch, PortRange } from '../net/protocol.ts';
import type { Service } from '../model/types.ts';
import { NS_PER_MS, NS_PER_S, NS_PER_US, type Nanos, type Outcome, type PathKind } from './spec.ts';

// ---------------------------------------------------------------------------------------------
// The written form

/** A number of milliseconds (may be fractional), or a string with a unit: `100us`, `5ms`, `1.5s`, `2m`, `1h`. */
export type DurationDoc = number | string;
/** `22`, `"8000-8080"` or `[8000, 8080]`. */
export type PortsDoc = number | string | readonly [number, number];
/** `{ type, code }` (code defaults to -1, any) or `"8:-1"`. */
export type IcmpDoc = { readonly type: number; readonly code?: number } | string;
export type ProtocolDoc = 'tcp' | 'udp' | 'icmp' | 'all';
/** A service a host listens on: `tcp/3306`, `udp/53`, `tcp/8000-8010`. */
export type ServiceDoc = string;
/**
 * An address: `<instance>.private|public|eip|dns`, `<external>`, or an IPv4 literal.
 * A bare instance name is an input error (which of its addresses?).
 */
export type AddressDoc = string;

export type SourceDoc = { readonly cidr: string } | { readonly group: string };

export interface RuleDoc {
  /** Default `all`. */
  readonly protocol?: ProtocolDoc;
  /** Required for tcp and udp; not allowed otherwise. */
  readonly ports?: PortsDoc;
  /** Only for icmp; default any type and code. */
  readonly icmp?: IcmpDoc;
  readonly from: SourceDoc;
  readonly description?: string;
}

export interface RegionDoc {
  /** Default `[<region>a]`. */
  readonly zones?: readonly string[];
}

export interface GroupDoc {
  readonly region: string;
  readonly description?: string;
  readonly ingress?: readonly RuleDoc[];
}

export interface InstanceDoc {
  readonly region: string;
  /** Default: the region's first zone. */
  readonly zone?: string;
  /** Default `[default]`. */
  readonly groups?: readonly string[];
  readonly privateIp?: string;
  readonly publicIp?: string;
  readonly elasticIp?: string;
  readonly services?: readonly ServiceDoc[];
  /** Default `running`. */
  readonly state?: 'running' | 'stopped';
}

export interface LaunchDoc extends InstanceDoc {
  readonly name: string;
}

export interface ExternalDoc {
  readonly ip: string;
  readonly services?: readonly ServiceDoc[];
}

export interface SettingsDoc {
  readonly latency?: {
    readonly sameZone?: DurationDoc;
    readonly crossZone?: DurationDoc;
    readonly publicPath?: DurationDoc;
    readonly crossRegion?: DurationDoc;
    readonly internet?: DurationDoc;
    /** A fraction in [0, 1). */
    readonly jitter?: number;
  };
  readonly tcp?: { readonly synRetries?: number; readonly initialRto?: DurationDoc };
  readonly conntrack?: {
    readonly tcpEstablished?: DurationDoc;
    readonly tcpHandshake?: DurationDoc;
    readonly udp?: DurationDoc;
    readonly udpStream?: DurationDoc;
    readonly icmp?: DurationDoc;
  };
  readonly propagationDelay?: DurationDoc;
  readonly limits?: { readonly rulesPerGroup?: number; readonly groupsPerRegion?: number };
  /** sgsim extension: how long a ping waits for its reply (default 2s). */
  readonly pingTimeout?: DurationDoc;
}

/** Explanation codes an expectation may name (domain.md §7, scenario-format.md). */
export { EXPLANATION_CODES } from '../fabric/flows.ts';
import { EXPLANATION_CODES } from '../fabric/flows.ts';
export type ExplanationCode = (typeof EXPLANATION_CODES)[number];

export type ExpectDoc =
  | Outcome
  | {
      readonly outcome?: Outcome;
      readonly path?: PathKind;
      readonly redirected?: boolean;
      readonly source?: AddressDoc;
      readonly code?: ExplanationCode;
    };

export interface ConnectDoc {
  readonly from: string;
  readonly to: AddressDoc;
  readonly port: number;
}
export interface SendDoc extends ConnectDoc {
  /** Datagrams to send; default 1. */
  readonly count?: number;
}
export interface PingDoc {
  readonly from: string;
  readonly to: AddressDoc;
}
export interface RuleChangeDoc {
  readonly group: string;
  readonly rule: RuleDoc;
  /**
   * sgsim extension: the region of the group. Needed only to name a region's `default` group
   * when the scenario has several regions; otherwise it must agree with the group's region.
   */
  readonly region?: string;
}
export interface AssociateDoc {
  readonly elasticIp: string;
  readonly instance: string;
}
export interface DisassociateDoc {
  readonly elasticIp: string;
}

/** One timeline entry: `at`, `id`, `expect` and exactly one action key. */
export interface TimelineEntryDoc {
  /** Default 0. */
  readonly at?: DurationDoc;
  readonly id?: string;
  readonly expect?: ExpectDoc;
  readonly connect?: ConnectDoc;
  readonly send?: SendDoc;
  readonly ping?: PingDoc;
  /** sgsim extension: one data segment over the connection a `connect` with this id opened. */
  readonly transfer?: string;
  readonly close?: string;
  readonly authorize?: RuleChangeDoc;
  readonly revoke?: RuleChangeDoc;
  readonly launch?: LaunchDoc;
  readonly stop?: string;
  readonly start?: string;
  readonly terminate?: string;
  readonly associate?: AssociateDoc;
  readonly disassociate?: DisassociateDoc;
}

export interface ScenarioDocument {
  readonly version: 1;
  /** Default: the file's base name without extension. */
  readonly name?: string;
  readonly description?: string;
  /** Only `classic` in version 1 (the default). */
  readonly platform?: 'classic';
  /** Default "0". */
  readonly seed?: string | number;
  readonly settings?: SettingsDoc;
  /** At least one region; a region's value may be `{}` or null. */
  readonly regions: Readonly<Record<string, RegionDoc | null>>;
  readonly groups?: Readonly<Record<string, GroupDoc>>;
  readonly instances?: Readonly<Record<string, InstanceDoc>>;
  readonly external?: Readonly<Record<string, ExternalDoc>>;
  readonly timeline?: readonly TimelineEntryDoc[];
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

export const TOP_LEVEL_FIELDS = [
  'version', 'name', 'description', 'platform', 'seed', 'settings',
  'regions', 'groups', 'instances', 'external', 'timeline',
] as const;
export const REGION_FIELDS = ['zones'] as const;
export const GROUP_FIELDS = ['region', 'description', 'ingress'] as const;
export const RULE_FIELDS = ['protocol', 'ports', 'icmp', 'from', 'description'] as const;
export const SOURCE_FIELDS = ['cidr', 'group'] as const;
export const ICMP_FIELDS = ['type', 'code'] as const;
export const INSTANCE_FIELDS = [
  'region', 'zone', 'groups', 'privateIp', 'publicIp', 'elasticIp', 'services', 'state',
] as const;
export const LAUNCH_FIELDS = ['name', ...INSTANCE_FIELDS] as const;
export const EXTERNAL_FIELDS = ['ip', 'services'] as const;
export const ENTRY_FIELDS = ['at', 'id', 'expect', 'repeat'] as const;
export const EXPECT_FIELDS = ['outcome', 'path', 'redirected', 'source', 'code'] as const;

/** Every action key a timeline entry may hold, in the contract's order. */
export const ACTION_KEYS = [
  'connect', 'send', 'ping', 'transfer', 'close', 'authorize', 'revoke',
  'launch', 'stop', 'start', 'terminate', 'associate', 'disassociate',
] as const;
export type ActionKey = (typeof ACTION_KEYS)[number];

export const PROTOCOL_NAMES = ['tcp', 'udp', 'icmp', 'all'] as const;
export const ADDRESS_KINDS = ['private', 'public', 'eip', 'dns'] as const;
export type AddressKind = (typeof ADDRESS_KINDS)[number];

// ---------------------------------------------------------------------------------------------
// Leaf parsers

export interface Problem {
  readonly error: string;
}

export function isProblem(v: unknown): v is Problem {
  return typeof v === 'object' && v !== null && 'error' in v;
}

/** A value from code that is not plain data, replaced by what a message says of it (the loader's readDocument). */
export class OpaqueValue {
  constructor(readonly described: string) {}
}

/**
 * How a value reads in a message: `5`, `a list`, `"abc"`, `a mapping`. Only a plain object
 * (the loader's `isPlainObject`: its prototype is Object's or null) is called a mapping, so
 * that "expected a mapping, got …" never names a mapping: YAML's `!!omap` and `!!set` read as
 * a JS Map and Set, and an object from code may be an instance of a class or inherit its keys.
 */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `${v} (a bigint)`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'function') return 'a function';
  if (typeof v !== 'object') return typeof v;
  if (v instanceof OpaqueValue) return v.described;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return 'a mapping';
  if (v instanceof Map) return 'an ordered map (YAML !!omap or !!pairs), not a plain mapping';
  if (v instanceof Set) return 'a set (YAML !!set), not a plain mapping or list';
  if (v instanceof Date) return 'a date, not a duration or a string';
  if (ArrayBuffer.isView(v)) return 'binary data (YAML !!binary)';
  const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object'
    ? `an instance of ${name}, not a plain mapping`
    : 'an object that inherits its fields from a prototype, not a plain mapping';
}

const DURATION_HINT = 'expected a number of milliseconds or a string such as 100us, 5ms, 1.5s, 2m or 1h';
const UNIT_NS: Readonly<Record<string, number>> = {
  us: NS_PER_US,
  ms: NS_PER_MS,
  s: NS_PER_S,
  m: 60 * NS_PER_S,
  h: 3600 * NS_PER_S,
};
const DURATION = /^(\d+(?:\.\d+)?|\.\d+)\s*(us|ms|s|m|h)$/;

/** A duration (a number = milliseconds, or a string with a unit) as integer nanoseconds. */
export function parseDuration(v: unknown): Nanos | Problem {
  let ns: number;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { error: `${v} is not a duration (${DURATION_HINT})` };
    if (v < 0) return { error: `${v} is negative (a duration is at least 0)` };
    ns = Math.round(v * NS_PER_MS);
  } else if (typeof v === 'string') {
    const text = v.trim();
    if (/^-/.test(text)) return { error: `"${v}" is negative (a duration is at least 0)` };
    if (/^(\d+(\.\d+)?|\.\d+)$/.test(text)) return { error: `"${v}" has no unit (${DURATION_HINT})` };
    const m = DURATION.exec(text);
    if (!m) return { error: `"${v}" is not a duration (${DURATION_HINT})` };
    ns = Math.round(Number(m[1]) * UNIT_NS[m[2]]);
  } else {
    return { error: `expected a duration, got ${describeValue(v)} (${DURATION_HINT})` };
  }
  if (!Number.isSafeInteger(ns)) return { error: `${describeValue(v)} is too long (at most about 104 days)` };
  return ns;
}

const PORT_HINT = 'ports are integers 0 to 65535';

function checkPort(n: number, shown: string): Problem | null {
  if (!Number.isInteger(n)) return { error: `${shown} is not a port (expected an integer 0 to 65535)` };
  if (n < 0 || n > 65535) return { error: `${shown} is out of range (${PORT_HINT})` };
  return null;
}

function checkRange(from: number, to: number, shown: string): PortRange | Problem {
  for (const n of from === to ? [from] : [from, to]) {
    const bad = checkPort(n, from === to ? shown : `${n} in ${shown}`);
    if (bad) return bad;
  }
  if (from > to) return { error: `${shown} is a reversed port range (from > to)` };
  return { from, to };
}

/** `22`, `"22"`, `"8000-8080"` or `[8000, 8080]` as an inclusive port range. */
export function parsePorts(v: unknown): PortRange | Problem {
  if (typeof v === 'number') return checkRange(v, v, String(v));
  if (typeof v === 'string') {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(v);
    if (!m) return { error: `"${v}" is not a port or port range (expected 22, "8000-8080" or [8000, 8080])` };
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    return checkRange(from, to, `"${v}"`);
  }
  if (Array.isArray(v)) {
    if (v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number') {
      return { error: `a port range list has two integers, [from, to] (got ${JSON.stringify(v)})` };
    }
    return checkRange(v[0], v[1], `[${v[0]}, ${v[1]}]`);
  }
  return { error: `expected a port or port range (22, "8000-8080" or [8000, 8080]), got ${describeValue(v)}` };
}

/** Checks an ICMP type and code: each -1 (any) to 255; type -1 needs code -1. */
export function checkIcmp(type: unknown, code: unknown): IcmpMatch | Problem {
  if (typeof type !== 'number' || !Number.isInteger(type) || type < -1 || type > 255) {
    return { error: `icmp type ${describeValue(type)} is out of range (expected an integer -1 to 255; -1 means any)` };
  }
  if (typeof code !== 'number' || !Number.isInteger(code) || code < -1 || code > 255) {
    return { error: `icmp code ${describeValue(code)} is out of range (expected an integer -1 to 255; -1 means any)` };
  }
  if (type === -1 && code !== -1) {
    return { error: `icmp type -1 (any type) requires code -1 (got code ${code})` };
  }
  return { type, code };
}

/** The string form of an ICMP match, `"8:-1"`. */
export function parseIcmpText(v: string): IcmpMatch | Problem {
  const m = /^\s*(-?\d+)\s*:\s*(-?\d+)\s*$/.exec(v);
  if (!m) return { error: `"${v}" is not an icmp match (expected "type:code" such as "8:-1", or { type, code })` };
  return checkIcmp(Number(m[1]), Number(m[2]));
}

/** `tcp/3306`, `udp/53`, `tcp/8000-8010` as a Service. */
export function parseService(v: unknown): Service | Problem {
  const hint = 'expected tcp/<ports> or udp/<ports>, e.g. tcp/3306, udp/53 or tcp/8000-8010';
  if (typeof v !== 'string') return { error: `expected a service string (${hint}), got ${describeValue(v)}` };
  const m = /^\s*([A-Za-z]+)\s*\/\s*(.+)$/.exec(v);
  if (!m) return { error: `"${v}" is not a service (${hint})` };
  const protocol = m[1];
  if (protocol !== 'tcp' && protocol !== 'udp') {
    return { error: `"${v}": a service is tcp or udp, not ${protocol} (${hint})` };
  }
  const ports = parsePorts(m[2]);
  if (isProblem(ports)) return { error: `"${v}": ${ports.error}` };
  return { protocol, ports };
}

/** The syntax of an address spec, before its names are resolved. */
export type AddressSyntax =
  | { readonly kind: 'ip'; readonly ip: Ip }
  /** `name` alone (an external host, or a bare instance name) or `name.suffix`. */
  | { readonly kind: 'named'; readonly host: string; readonly suffix?: string };

export function parseAddressSyntax(v: unknown): AddressSyntax | Problem {
  const hint = 'expected <instance>.private, .public, .eip or .dns, an external host name, or an IPv4 address';
  if (typeof v !== 'string' || v.trim() === '') {
    return { error: `expected an address (${hint}), got ${describeValue(v)}` };
  }
  const text = v.trim();
  if (/^[\d.]+$/.test(text)) {
    const ip = parseIp(text);
    return typeof ip === 'number' ? { kind: 'ip', ip } : { error: ip.error };
  }
  if (text.includes('/')) return { error: `"${v}" is a CIDR block or a path, not an address (${hint})` };
  const dot = text.lastIndexOf('.');
  if (dot < 0) return { kind: 'named', host: text };
  if (dot === 0 || dot === text.length - 1) return { error: `"${v}" is not an address (${hint})` };
  return { kind: 'named', host: text.slice(0, dot), suffix: text.slice(dot + 1) };
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The closest known word to a misspelling, if one is close enough to suggest. */
export function closest(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = word.toLowerCase();
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0 : distance(lower, k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  // Short names are too alike to guess between (r1 vs r9); a case slip is always worth saying.
  const allowed = bestD === 0 ? 0 : word.length < 4 ? -1 : word.length < 6 ? 1 : 2;
  return best !== undefined && bestD <= allowed ? best : undefined;
}

/** `a, b, c` (at most `max` items, then `…`), for "known:" and "expected one of" lists. */
export function listOf(items: Iterable<string>, max = 12): string {
  const all = [...items];
  return all.length > max ? `${all.slice(0, max).join(', ')}, …` : all.join(', ');
}
