/**
 * testing/transform: small functions on specs and rules that several properties share (rule
 * equality, the default group's key and rule, settings with overrides, shifting a timeline,
 * adding entries, the rules a group ever holds).
 */
import fc from 'fast-check';
import { DEFAULT_SETTINGS } from '../index.ts';
import { UNHELD_IPS, eipPool, ip, sec } from './plan.ts';
import type { RawRule, RawService } from './blueprint.ts';
import type { Ip, Rule, RuleSource, ScenarioSpec, Service, Settings, TimelineEntry } from '../index.ts';

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

/** A blueprint rule as a model rule: its group source picked among `keys`, its CIDR anchored at `anchors`. */
export function buildRule(raw: RawRule, keys: readonly string[], anchors: readonly Ip[], anywhere = false): Rule {
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

export function buildServices(raw: readonly RawService[]): Service[] {
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
