/**
 * analysis/questions/exposure: findings about a classic world (`sgsim exposure`).
 *
 * Owns: the findings and their severities (scenario-format-vpc.md "Questions without traffic"):
 * - INTERNET_EXPOSED_PORT: a public address that a flow from the internet actually reaches. For
 *   each running instance with a public address, every rule of its groups whose CIDR holds an
 *   internet address (internet.ts) is a candidate; the candidate's flow (from that address, to
 *   the public address, on the rule's most sensitive port) is *traced* through the plan
 *   (trace.ts), and only an admitted trace is a finding. So a group open to the world that no
 *   running instance holds, or a CIDR that is all private, exposes nothing (the false
 *   positives of rule-only checks). High: from 0.0.0.0/0 on every port or an admin or
 *   database port; medium: from 0.0.0.0/0 on others but 80/443; else low.
 * - UNUSED_GROUP (low): a declared group no instance is in (default groups are AWS's own).
 * - STALE_GROUP_REFERENCE (low): a rule naming a group no instance is in, or no group at all.
 * - SHADOWED_RULE (low): a rule another rule of the same group covers (protocol, ports, source).
 * A rule of a group that admits an internet flow to one running, publicly addressed member
 * admits it to every such member (the groups are a union: a member's other groups only add;
 * of a receiver the rest of the plan reads its address and what listens, and an RST is an
 * answer too), so each group's candidates are traced once, against its first such member, and
 * an instance's exposures are the union of its groups'; bench/w6-questions.ts checks a sample
 * against simulated flows, and test/analysis/questions checks every instance's against its
 * own traces.
 * Does not own: tracing (trace.ts), reach (reach.ts).
 */
import type { World } from '../../model/world.ts';
import { groupDisplayName, type Rule, type SecurityGroup } from '../../model/types.ts';
import { formatCidr, formatIp, type Ip } from '../../net/ipv4.ts';
import { formatPorts, type Protocol } from '../../net/protocol.ts';
import { describeRule } from '../../policy/evaluate.ts';
import { ruleReport, type RuleReport } from '../../scenario/run.ts';
import { freeInternetAddressIn, isEverywhere } from './internet.ts';
import type { ClassicSnapshot } from './snapshot.ts';
import { admitted, traceResolved, type TraceOutcome } from './trace.ts';

export type Severity = 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];
const RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

/** Admin and database ports: open from everywhere, high. */
export const SENSITIVE_PORTS: readonly number[] = [22, 3389, 1433, 1521, 3306, 5432, 6379, 9200, 27017];

export interface Finding {
  readonly id: 'INTERNET_EXPOSED_PORT' | 'UNUSED_GROUP' | 'STALE_GROUP_REFERENCE' | 'SHADOWED_RULE';
  readonly severity: Severity;
  /** The instance or group. */
  readonly resource: string;
  readonly address: string | null;
  readonly protocol: Protocol | null;
  readonly ports: string | null;
  readonly sources: readonly string[];
  readonly admittedBy: readonly { readonly group: string; readonly rule: RuleReport }[];
  readonly shadowedBy: { readonly group: string; readonly rule: RuleReport } | null;
  readonly message: string;
  readonly fix: readonly string[];
  /** INTERNET_EXPOSED_PORT: the traced flow that shows it (port, outcome). */
  readonly probe?: { readonly from: string; readonly port: number | null; readonly outcome: TraceOutcome };
}

export interface ExposureResult {
  readonly findings: Finding[];
  readonly summary: { total: number; high: number; medium: number; low: number; byId: Record<string, number> };
  /** Traces made (one per group list and candidate). */
  readonly traces: number;
}

/** A candidate exposure of one group list: a rule, the flow that tests it, and its trace's verdict. */
interface Candidate {
  readonly protocol: Protocol;
  readonly from: number;
  readonly to: number;
  readonly probe: number;
  readonly source: string;
  readonly sender: Ip;
  readonly group: string;
  readonly rule: Rule;
  everywhere: boolean;
}

interface Template {
  readonly key: string;
  readonly protocol: Protocol;
  readonly ports: string;
  readonly sources: string[];
  readonly admittedBy: { group: string; rule: RuleReport }[];
  readonly fix: string[];
  /** The outcomes of the traces behind it (one per admitting rule). */
  readonly traced: TraceOutcome[];
  severity: Severity;
  probe: { from: string; port: number | null; outcome: TraceOutcome };
}

function severityOf(everywhere: boolean, protocol: Protocol, from: number, to: number): Severity {
  if (!everywhere || protocol === 'icmp') return 'low';
  if ((from === 0 && to === 65535) || SENSITIVE_PORTS.some((p) => from <= p && p <= to)) return 'high';
  for (let p = from; p <= to; p++) if (p !== 80 && p !== 443) return 'medium';
  return 'low';
}

function candidatesOf(snap: ClassicSnapshot, groups: readonly SecurityGroup[]): Candidate[] {
  const out: Candidate[] = [];
  for (const g of groups) {
    for (const rule of g.ingress) {
      if (rule.source.kind !== 'cidr') continue;
      const sender = freeInternetAddressIn(rule.source.cidr, snap.held);
      if (sender === null) continue;
      const base = { source: formatCidr(rule.source.cidr), sender, group: g.key, rule, everywhere: isEverywhere(rule.source.cidr) };
      const ranged = (protocol: 'tcp' | 'udp', from: number, to: number): Candidate => ({ ...base, protocol, from, to, probe: SENSITIVE_PORTS.find((p) => from <= p && p <= to) ?? from });
      if (rule.protocol === 'tcp' || rule.protocol === 'udp') out.push(ranged(rule.protocol, rule.ports!.from, rule.ports!.to));
      else if (rule.protocol === 'all') out.push(ranged('tcp', 0, 65535), ranged('udp', 0, 65535), { ...base, protocol: 'icmp', from: -1, to: -1, probe: -1 });
      else if (rule.icmp && (rule.icmp.type === -1 || rule.icmp.type === 8)) out.push({ ...base, protocol: 'icmp', from: -1, to: -1, probe: -1 });
    }
  }
  return out;
}

/** The internet exposures one group's rules make, traced against `holder` (a running instance with a public address in that group). */
function templatesOf(snap: ClassicSnapshot, group: SecurityGroup, holder: number, counter: { traces: number }): Template[] {
  const byKey = new Map<string, Template>();
  const pub = snap.publicIpOf(holder);
  for (const c of candidatesOf(snap, [group])) {
    const internet = snap.addInternet(c.sender);
    const t = traceResolved(snap, { from: 'internet', to: { kind: 'ip', ip: pub }, protocol: c.protocol, port: Math.max(0, c.probe) }, internet, pub);
    counter.traces++;
    if (!admitted(t.outcome)) continue;
    const ports = c.protocol === 'icmp' ? 'echo' : formatPorts({ from: c.from, to: c.to });
    const key = `${c.protocol} ${ports}`;
    let tpl = byKey.get(key);
    if (!tpl) {
      tpl = { key, protocol: c.protocol, ports, sources: [], admittedBy: [], fix: [], traced: [], severity: 'low', probe: { from: formatIp(c.sender), port: c.protocol === 'icmp' ? null : c.probe, outcome: t.outcome } };
      byKey.set(key, tpl);
    }
    if (!tpl.sources.includes(c.source)) tpl.sources.push(c.source);
    tpl.admittedBy.push({ group: groupDisplayName(c.group), rule: ruleReport(c.rule) });
    tpl.traced.push(t.outcome);
    tpl.fix.push(`revoke ${groupDisplayName(c.group)}: ${describeRule(c.rule, 'file')}${c.everywhere ? ' (and authorize only the addresses that need it)' : ''}`);
    const s = severityOf(c.everywhere, c.protocol, c.from, c.to);
    if (RANK[s] < RANK[tpl.severity]) tpl.severity = s;
  }
  return [...byKey.values()];
}

function groupFindings(world: World, snap: ClassicSnapshot): Finding[] {
  const members = new Set<string>();
  for (let h = 0; h < snap.hostCount; h++) if (snap.isInstance(h)) for (const g of snap.groupsOf(h)) members.add(g);
  const out: Finding[] = [];
  const none = { address: null, protocol: null, ports: null, sources: [], admittedBy: [], shadowedBy: null } as const;
  for (const key of Object.keys(world.groups).sort()) {
    const g = world.groups[key];
    const name = groupDisplayName(key);
    if (!members.has(key) && !key.startsWith('default/')) {
      out.push({ ...none, id: 'UNUSED_GROUP', severity: 'low', resource: name, message: `group ${name} is on no instance`, fix: [`delete group ${name}, or launch instances into it`] });
    }
    g.ingress.forEach((rule, i) => {
      if (rule.source.kind === 'group' && !members.has(rule.source.group) && !(rule.source.group === key && key.startsWith('default/'))) {
        const ref = groupDisplayName(rule.source.group);
        const why = world.groups[rule.source.group] ? `no instance is in group ${ref}` : `group ${ref} does not exist`;
        out.push({ ...none, id: 'STALE_GROUP_REFERENCE', severity: 'low', resource: name, admittedBy: [{ group: name, rule: ruleReport(rule) }], message: `group ${name}'s rule ${describeRule(rule)} names group ${ref}, but ${why}: it admits nothing`, fix: [`revoke ${name}: ${describeRule(rule, 'file')}`] });
      }
      const by = g.ingress.find((other, j) => j !== i && covers(other, rule) && !(covers(rule, other) && j > i));
      if (by) {
        out.push({ ...none, id: 'SHADOWED_RULE', severity: 'low', resource: name, admittedBy: [{ group: name, rule: ruleReport(rule) }], shadowedBy: { group: name, rule: ruleReport(by) }, message: `group ${name}'s rule ${describeRule(rule)} admits nothing that ${describeRule(by)} does not`, fix: [`revoke ${name}: ${describeRule(rule, 'file')}`] });
      }
    });
  }
  return out;
}

/** Whether rule `a` admits everything rule `b` admits (same receiver, same sender). */
export function covers(a: Rule, b: Rule): boolean {
  if (a.source.kind !== b.source.kind) return false;
  if (a.source.kind === 'group' && b.source.kind === 'group' && a.source.group !== b.source.group) return false;
  if (a.source.kind === 'cidr' && b.source.kind === 'cidr') {
    const ac = a.source.cidr;
    const bc = b.source.cidr;
    if (ac.prefix > bc.prefix) return false;
    const mask = ac.prefix === 0 ? 0 : (~0 << (32 - ac.prefix)) >>> 0;
    if (((bc.base & mask) >>> 0) !== (ac.base >>> 0)) return false;
  }
  if (a.protocol === 'all') return true;
  if (a.protocol !== b.protocol) return false;
  if (a.protocol === 'icmp') {
    const ai = a.icmp!;
    const bi = b.icmp!;
    return (ai.type === -1 || ai.type === bi.type) && (ai.code === -1 || ai.code === bi.code);
  }
  return a.ports!.from <= b.ports!.from && b.ports!.to <= a.ports!.to;
}

/**
 * An INTERNET_EXPOSED_PORT finding: an instance, its public address and the exposure its groups
 * share (a 10^6-instance world has millions: each is one small object, its message written
 * when first read; JSON gives every field, in the order of Finding).
 */
class ExposedPort implements Finding {
  readonly id = 'INTERNET_EXPOSED_PORT' as const;
  constructor(
    readonly resource: string,
    readonly address: string,
    private readonly t: Template,
  ) {}
  get severity(): Severity {
    return this.t.severity;
  }
  get protocol(): Protocol {
    return this.t.protocol;
  }
  get ports(): string {
    return this.t.ports;
  }
  get sources(): readonly string[] {
    return this.t.sources;
  }
  get admittedBy(): Finding['admittedBy'] {
    return this.t.admittedBy;
  }
  get shadowedBy(): null {
    return null;
  }
  get message(): string {
    return `${this.resource} (${this.address}) is reachable from the internet on ${this.t.protocol} ${this.t.ports} from ${this.t.sources.join(', ')}`;
  }
  get fix(): readonly string[] {
    return this.t.fix;
  }
  get probe(): Finding['probe'] {
    return this.t.probe;
  }
  toJSON(): Finding {
    const { id, severity, resource, address, protocol, ports, sources, admittedBy, shadowedBy, message, fix, probe } = this;
    return { id, severity, resource, address, protocol, ports, sources, admittedBy, shadowedBy, message, fix, probe };
  }
}

/** The exposures of a list of groups: the union of each group's, merged by protocol and ports. */
function merged(lists: readonly Template[][]): Template[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? [];
  const byKey = new Map<string, Template>();
  for (const list of nonEmpty) {
    for (const t of list) {
      const m = byKey.get(t.key);
      if (!m) {
        byKey.set(t.key, { ...t, sources: [...t.sources], admittedBy: [...t.admittedBy], fix: [...t.fix], traced: [...t.traced] });
        continue;
      }
      for (const x of t.sources) if (!m.sources.includes(x)) m.sources.push(x);
      m.admittedBy.push(...t.admittedBy);
      m.fix.push(...t.fix);
      m.traced.push(...t.traced);
      if (RANK[t.severity] < RANK[m.severity]) m.severity = t.severity;
    }
  }
  return [...byKey.values()];
}

/**
 * Every finding of the world: most severe first; within a severity, internet exposures in the
 * world's order of instances (its shards: deterministic), then the group findings by group.
 */
export function exposure(world: World, snap: ClassicSnapshot): ExposureResult {
  const counter = { traces: 0 };
  // A rule of group G that admits an internet flow to one running, publicly addressed holder of
  // G admits it to every such holder (a union: their other groups can only add), so each
  // group's candidates are traced once, against its first such holder.
  const perGroup = new Map<string, Template[]>();
  const perList = new Map<string, Template[]>();
  const buckets: Finding[][] = [[], [], []];
  for (let h = 0; h < snap.hostCount; h++) {
    if (!snap.isInstance(h) || !snap.running(h) || snap.publicIpOf(h) === 0) continue;
    const keys = snap.groupsOf(h);
    const id = keys.length === 1 ? keys[0] : keys.join('\u0000');
    let templates = perList.get(id);
    if (templates === undefined) {
      const lists: Template[][] = [];
      for (const g of snap.groupsInForce(h)) {
        let own = perGroup.get(g.key);
        if (own === undefined) perGroup.set(g.key, (own = templatesOf(snap, g, h, counter)));
        lists.push(own);
      }
      perList.set(id, (templates = merged(lists)));
    }
    if (templates.length === 0) continue;
    const name = snap.nameOf(h);
    const address = formatIp(snap.publicIpOf(h));
    for (const t of templates) {
      buckets[RANK[t.severity]].push(new ExposedPort(name, address, t));
    }
  }
  for (const f of groupFindings(world, snap)) buckets[RANK[f.severity]].push(f);
  const findings: Finding[] = [];
  for (const b of buckets) for (const f of b) findings.push(f);
  const summary = { total: findings.length, high: 0, medium: 0, low: 0, byId: {} as Record<string, number> };
  for (const f of findings) {
    summary[f.severity]++;
    summary.byId[f.id] = (summary.byId[f.id] ?? 0) + 1;
  }
  return { findings, summary, traces: counter.traces };
}
