/**
 * test/props/oracle: an independent, deliberately simple reference evaluator of EC2-Classic
 * security groups (domain.md §2-§7), written from the domain text, not from sgsim's code.
 *
 * Owns: replaying a scenario's timeline over a plain model of the world — rules per group,
 * instances with their (declared) addresses, external hosts, Elastic IP holders, open
 * connections — and deciding each connect / send / ping / transfer: outcome, path, redirect,
 * the source the receiver sees, and the explanation code (with the admitting group and rule).
 * Uses only types from src and net/ipv4's formatIp; every address must be declared (sgsim's
 * allocator is not modelled), so the oracle refuses (OracleUnsupported) stop, start,
 * disassociate, moving an Elastic IP that another instance holds, and rule changes with a
 * propagation delay.
 * Connection tracking is modelled only as the domain states it for these timelines: every
 * connect/send/ping is a new flow (fresh source port); a transfer rides its connection's
 * tracked 5-tuple (idle timeouts are far longer than any generated run).
 */
import type { AddressSpec, Expectation, Outcome, ScenarioSpec, TimelineEntry } from '../../src/scenario/spec.ts';
import type { FlowReport } from '../../src/scenario/run.ts';
import type { InstanceSpec, Rule, Service } from '../../src/model/types.ts';
import { formatIp, type Ip } from '../../src/net/ipv4.ts';

export class OracleUnsupported extends Error {
  override name = 'OracleUnsupported';
}

export type Path = 'private' | 'public';

export interface Decision {
  /** Position of the flow among the run's flows (timeline order of traffic entries). */
  readonly index: number;
  readonly entry: number;
  readonly action: 'connect' | 'send' | 'ping' | 'transfer';
  readonly outcome: Outcome;
  readonly path: Path | null;
  readonly redirected: boolean | null;
  /** The source address the receiver saw, null when nothing arrived. */
  readonly source: Ip | null;
  readonly code: string;
  /** For ALLOWED_BY_RULE / CONNECTION_REFUSED by an instance: the group (display name) and rule. */
  readonly group?: string;
  readonly rule?: Rule;
}

/** A packet as the receiver's groups judge it. */
export interface Packet {
  readonly protocol: 'tcp' | 'udp' | 'icmp';
  /** tcp/udp destination port. */
  readonly port: number;
  readonly icmpType: number;
  readonly icmpCode: number;
  /** Source as the receiver sees it. */
  readonly source: Ip;
  readonly privatePath: boolean;
  /** The sender's groups when it is a running instance, else null. */
  readonly senderGroups: readonly string[] | null;
}

// ---------------------------------------------------------------------------------------------
// Rules: what one rule says of one packet

/**
 * The path of a packet no host receives: the one it was sent on. From outside AWS everything
 * is public; from an instance, a classic private address (10.0.0.0/8, domain.md §4) is sent on
 * the private network and any other address on the public one.
 */
export function unroutedPath(fromOutside: boolean, dst: Ip): Path {
  return !fromOutside && inCidr(dst, 0x0a000000, 8) ? 'private' : 'public';
}

export function inCidr(address: Ip, base: Ip, prefix: number): boolean {
  if (prefix === 0) return true;
  return (address >>> (32 - prefix)) === (base >>> (32 - prefix));
}

export function coversTraffic(rule: Rule, p: Packet): boolean {
  if (rule.protocol === 'all') return true;
  if (rule.protocol !== p.protocol) return false;
  if (p.protocol === 'icmp') {
    const m = rule.icmp ?? { type: -1, code: -1 };
    return (m.type === -1 || m.type === p.icmpType) && (m.code === -1 || m.code === p.icmpCode);
  }
  const r = rule.ports ?? { from: 0, to: 65535 };
  return r.from <= p.port && p.port <= r.to;
}

export function coversSource(rule: Rule, p: Packet): boolean {
  if (rule.source.kind === 'cidr') return inCidr(p.source, rule.source.cidr.base, rule.source.cidr.prefix);
  // A group rule matches only traffic on the private path from a running member.
  return p.privatePath && p.senderGroups !== null && p.senderGroups.includes(rule.source.group);
}

export function matches(rule: Rule, p: Packet): boolean {
  return coversTraffic(rule, p) && coversSource(rule, p);
}

export interface Verdict {
  readonly admitted: boolean;
  readonly code: string;
  readonly group?: string;
  readonly rule?: Rule;
}

/**
 * The receiver's verdict: admitted when any rule of any of its groups matches (naming the
 * first group in the instance's order that has a match, and its first matching rule); else
 * the primary denial code.
 */
export function judge(groups: readonly string[], rulesOf: (key: string) => readonly Rule[], p: Packet): Verdict {
  for (const key of groups) {
    const rule = rulesOf(key).find((r) => matches(r, p));
    if (rule) return { admitted: true, code: 'ALLOWED_BY_RULE', group: display(key), rule };
  }
  if (!p.privatePath && p.senderGroups !== null) {
    const asPrivate: Packet = { ...p, privatePath: true };
    const lost = groups.some((key) => rulesOf(key).some((r) => r.source.kind === 'group' && matches(r, asPrivate)));
    if (lost) return { admitted: false, code: 'SG_REFERENCES_NOT_PRESERVED' };
  }
  const anyRule = groups.some((key) => rulesOf(key).length > 0);
  return { admitted: false, code: anyRule ? 'ENI_SG_RULES_MISMATCH' : 'SG_HAS_NO_RULES' };
}

export function display(key: string): string {
  return key.startsWith('default/') ? 'default' : key;
}

export function listens(services: readonly Service[], protocol: 'tcp' | 'udp', port: number): boolean {
  return services.some((s) => s.protocol === protocol && s.ports.from <= port && port <= s.ports.to);
}

function sameRule(a: Rule, b: Rule): boolean {
  const key = (r: Rule): string =>
    JSON.stringify([
      r.protocol,
      r.ports?.from ?? null,
      r.ports?.to ?? null,
      r.icmp?.type ?? null,
      r.icmp?.code ?? null,
      r.source.kind === 'cidr' ? `${r.source.cidr.base}/${r.source.cidr.prefix}` : `g:${r.source.group}`,
    ]);
  return key(a) === key(b);
}

// ---------------------------------------------------------------------------------------------
// The world

interface OInstance {
  readonly name: string;
  readonly region: string;
  readonly groups: readonly string[];
  readonly services: readonly Service[];
  running: boolean;
  priv: Ip | null;
  pub: Ip | null;
  eip: Ip | null;
}

interface OExternal {
  readonly name: string;
  readonly ip: Ip;
  readonly services: readonly Service[];
}

type Host = { readonly kind: 'instance'; readonly i: OInstance } | { readonly kind: 'external'; readonly e: OExternal };

interface Route {
  readonly receiver: Host;
  readonly path: Path;
  readonly redirected: boolean;
  readonly seenSource: Ip;
  /** The address the packets travel to (the target's public address after a redirect). */
  readonly wire: Ip;
}

interface Conn {
  readonly client: string;
  readonly wire: Ip;
  readonly port: number;
  /**
   * What the servers' tracking knows of this connection: "receiver source" pairs. Tracking is
   * per receiving host (domain.md §5), so an Elastic IP moved to another instance reaches a
   * host that never saw the connection and is judged by its rules.
   */
  readonly tracked: Set<string>;
}

/** The tracking key of a route: the receiving host and the source it sees. */
function trackKey(route: Route): string {
  const r = route.receiver;
  return `${r.kind === 'instance' ? r.i.name : r.e.name} ${route.seenSource}`;
}

export class OracleWorld {
  readonly rules = new Map<string, Rule[]>();
  readonly instances = new Map<string, OInstance>();
  readonly externals = new Map<string, OExternal>();
  readonly eipHolder = new Map<Ip, string | null>();

  constructor(spec: ScenarioSpec) {
    for (const r of spec.regions) {
      const key = `default/${r.name}`;
      this.rules.set(key, [{ protocol: 'all', source: { kind: 'group', group: key } }]);
    }
    for (const g of spec.groups) this.rules.set(g.key, [...g.ingress]);
    for (const i of spec.instances) this.add(i);
    for (const e of spec.external) this.externals.set(e.name, { name: e.name, ip: e.ip, services: e.services });
  }

  add(spec: InstanceSpec): void {
    if (spec.state !== 'running') throw new OracleUnsupported(`${spec.name} starts stopped: its addresses come from the allocator`);
    if (spec.privateIp === undefined || (spec.publicIp === undefined && spec.elasticIp === undefined)) {
      throw new OracleUnsupported(`${spec.name} does not declare its addresses`);
    }
    if (spec.elasticIp !== undefined) {
      const holder = this.eipHolder.get(spec.elasticIp);
      if (holder) throw new OracleUnsupported(`${spec.name} takes ${formatIp(spec.elasticIp)} from ${holder}`);
      this.eipHolder.set(spec.elasticIp, spec.name);
    }
    this.instances.set(spec.name, {
      name: spec.name,
      region: spec.region,
      groups: spec.groups,
      services: spec.services,
      running: true,
      priv: spec.privateIp,
      pub: spec.elasticIp !== undefined ? null : spec.publicIp!,
      eip: spec.elasticIp ?? null,
    });
  }

  /** The public address: the Elastic IP while one is associated, else the public IP. */
  publicOf(i: OInstance): Ip | null {
    return i.eip ?? i.pub;
  }

  host(name: string): Host {
    const i = this.instances.get(name);
    if (i) return { kind: 'instance', i };
    const e = this.externals.get(name);
    if (e) return { kind: 'external', e };
    throw new Error(`unknown host ${name}`);
  }

  running(h: Host): boolean {
    return h.kind === 'external' || h.i.running;
  }

  /** The address a sender puts in its packet for an address spec (split-horizon DNS), or null. */
  resolve(to: AddressSpec, sender: Host): Ip | null {
    if (to.kind === 'ip') return to.ip;
    if (to.kind === 'external') return this.externals.get(to.host)!.ip;
    const t = this.instances.get(to.instance)!;
    if (!t.running) return null;
    switch (to.kind) {
      case 'private':
        return t.priv;
      case 'public':
        return this.publicOf(t);
      case 'eip':
        return t.eip;
      case 'dns':
        return sender.kind === 'instance' && sender.i.region === t.region ? t.priv : this.publicOf(t);
    }
  }

  /** Where a packet to `dst` goes and how it looks when it gets there (domain.md §4). */
  route(sender: Host, dst: Ip): Route | null {
    const senderPublic = sender.kind === 'external' ? sender.e.ip : this.publicOf(sender.i)!;
    for (const t of this.instances.values()) {
      if (!t.running || t.priv !== dst) continue;
      if (sender.kind === 'external') return null; // private addresses are not reachable from outside AWS
      if (sender.i.region === t.region) {
        return { receiver: { kind: 'instance', i: t }, path: 'private', redirected: false, seenSource: sender.i.priv!, wire: dst };
      }
      // The seed: a private IP used from another region is redirected to the public address.
      return { receiver: { kind: 'instance', i: t }, path: 'public', redirected: true, seenSource: senderPublic, wire: this.publicOf(t)! };
    }
    for (const t of this.instances.values()) {
      if (t.running && this.publicOf(t) === dst) {
        return { receiver: { kind: 'instance', i: t }, path: 'public', redirected: false, seenSource: senderPublic, wire: dst };
      }
    }
    for (const e of this.externals.values()) {
      if (e.ip === dst) return { receiver: { kind: 'external', e }, path: 'public', redirected: false, seenSource: senderPublic, wire: dst };
    }
    return null;
  }

  verdict(route: Route, sender: Host, packet: Omit<Packet, 'source' | 'privatePath' | 'senderGroups'>): Verdict {
    if (route.receiver.kind === 'external') return { admitted: true, code: 'NOT_FILTERED' };
    const p: Packet = {
      ...packet,
      source: route.seenSource,
      privatePath: route.path === 'private',
      senderGroups: sender.kind === 'instance' && sender.i.running ? sender.i.groups : null,
    };
    return judge(route.receiver.i.groups, (k) => this.rules.get(k) ?? [], p);
  }
}

// ---------------------------------------------------------------------------------------------
// Deciding every flow of a scenario

function fail(action: Decision['action']): Outcome {
  return action === 'send' || action === 'transfer' ? 'dropped' : 'timeout';
}

/** The oracle's decision for every flow of the scenario, in report order. */
export function decideAll(spec: ScenarioSpec): Decision[] {
  // A propagation delay matters only to rule changes (domain.md §6).
  if (spec.settings.propagationDelay !== 0 && spec.timeline.some((e) => e.action.kind === 'authorize' || e.action.kind === 'revoke')) {
    throw new OracleUnsupported('rule changes with a propagation delay');
  }
  const w = new OracleWorld(spec);
  const conns = new Map<string, Conn | null>();
  const out: Decision[] = [];

  for (const entry of spec.timeline) {
    const a = entry.action;
    const index = out.length;
    switch (a.kind) {
      case 'connect':
      case 'send':
      case 'ping': {
        const sender = w.host(a.from);
        const base = { index, entry: entry.index, action: a.kind };
        const nothing = { path: null, redirected: null, source: null } as const;
        if (!w.running(sender)) {
          out.push({ ...base, ...nothing, outcome: fail(a.kind), code: 'SOURCE_NOT_RUNNING' });
          if (a.kind === 'connect' && entry.id) conns.set(entry.id, null);
          break;
        }
        const dst = w.resolve(a.to, sender);
        if (dst === null) {
          out.push({ ...base, ...nothing, outcome: fail(a.kind), code: 'NO_ROUTE_TO_DESTINATION' });
          if (a.kind === 'connect' && entry.id) conns.set(entry.id, null);
          break;
        }
        const route = w.route(sender, dst);
        if (!route) {
          out.push({
            ...base,
            outcome: fail(a.kind),
            path: unroutedPath(sender.kind === 'external', dst),
            redirected: false,
            source: null,
            code: 'NO_ROUTE_TO_DESTINATION',
          });
          if (a.kind === 'connect' && entry.id) conns.set(entry.id, null);
          break;
        }
        const protocol = a.kind === 'connect' ? 'tcp' : a.kind === 'send' ? 'udp' : 'icmp';
        const port = a.kind === 'ping' ? 0 : a.port;
        const v = w.verdict(route, sender, { protocol, port, icmpType: 8, icmpCode: 0 });
        const seen = { path: route.path, redirected: route.redirected, source: route.seenSource };
        const named = v.group !== undefined ? { group: v.group, rule: v.rule } : {};
        if (!v.admitted) {
          out.push({ ...base, ...seen, outcome: fail(a.kind), code: v.code });
          if (a.kind === 'connect' && entry.id) conns.set(entry.id, null);
          break;
        }
        if (a.kind === 'connect') {
          const services = route.receiver.kind === 'instance' ? route.receiver.i.services : route.receiver.e.services;
          const open = listens(services, 'tcp', a.port);
          out.push({ ...base, ...seen, ...named, outcome: open ? 'connected' : 'refused', code: open ? v.code : 'CONNECTION_REFUSED' });
          if (entry.id) conns.set(entry.id, open ? { client: a.from, wire: route.wire, port: a.port, tracked: new Set([trackKey(route)]) } : null);
        } else {
          out.push({ ...base, ...seen, ...named, outcome: a.kind === 'send' ? 'delivered' : 'replied', code: v.code });
        }
        break;
      }
      case 'transfer': {
        const base = { index, entry: entry.index, action: 'transfer' as const };
        const conn = conns.get(a.connection) ?? null;
        const client = conn ? w.host(conn.client) : null;
        if (!conn || !client || !w.running(client)) {
          out.push({ ...base, outcome: 'dropped', path: null, redirected: null, source: null, code: 'CONNECTION_NOT_OPEN' });
          if (conn && client && !w.running(client)) conns.set(a.connection, null);
          break;
        }
        const route = w.route(client, conn.wire);
        if (!route) {
          out.push({ ...base, outcome: 'dropped', path: unroutedPath(client.kind === 'external', conn.wire), redirected: false, source: null, code: 'NO_ROUTE_TO_DESTINATION' });
          break;
        }
        const seen = { path: route.path, redirected: route.redirected, source: route.seenSource };
        if (route.receiver.kind === 'external') {
          out.push({ ...base, ...seen, outcome: 'delivered', code: 'NOT_FILTERED' });
          break;
        }
        if (conn.tracked.has(trackKey(route))) {
          out.push({ ...base, ...seen, outcome: 'delivered', code: 'TRACKED_CONNECTION' });
          break;
        }
        // The client's source changed (it took an Elastic IP), or the address it talks to moved
        // to another instance: a 5-tuple the receiver never saw.
        const v = w.verdict(route, client, { protocol: 'tcp', port: conn.port, icmpType: 0, icmpCode: 0 });
        if (v.admitted) conn.tracked.add(trackKey(route));
        out.push({
          ...base,
          ...seen,
          ...(v.group !== undefined ? { group: v.group, rule: v.rule } : {}),
          outcome: v.admitted ? 'delivered' : 'dropped',
          code: v.code,
        });
        break;
      }
      case 'close':
        conns.set(a.connection, null);
        break;
      case 'authorize': {
        const list = w.rules.get(a.group)!;
        if (list.some((r) => sameRule(r, a.rule))) throw new Error('authorize of a rule already held');
        list.push(a.rule);
        break;
      }
      case 'revoke': {
        const list = w.rules.get(a.group)!;
        const i = list.findIndex((r) => sameRule(r, a.rule));
        if (i < 0) throw new Error('revoke of a rule not held');
        list.splice(i, 1);
        break;
      }
      case 'launch':
        w.add(a.instance);
        break;
      case 'terminate': {
        const i = w.instances.get(a.instance)!;
        if (i.eip !== null) w.eipHolder.set(i.eip, null);
        i.running = false;
        i.priv = null;
        i.pub = null;
        i.eip = null;
        for (const [id, c] of conns) if (c && c.client === a.instance) conns.set(id, null);
        break;
      }
      case 'associate': {
        const i = w.instances.get(a.instance)!;
        const holder = w.eipHolder.get(a.elasticIp) ?? null;
        if (holder !== null && holder !== a.instance) throw new OracleUnsupported('moving an Elastic IP gives its holder an unknown public IP');
        if (!i.running) throw new Error('associate to an instance that is not running');
        if (i.eip !== null && i.eip !== a.elasticIp) w.eipHolder.set(i.eip, null);
        i.eip = a.elasticIp;
        i.pub = null; // associating releases the dynamic public IP
        w.eipHolder.set(a.elasticIp, a.instance);
        break;
      }
      case 'stop':
      case 'start':
      case 'disassociate':
        throw new OracleUnsupported(`${a.kind}: new addresses come from the allocator`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Comparing a run's report with the oracle

/** Codes a scenario file may name in `expect.code`. */
const EXPECTABLE = new Set([
  'ALLOWED_BY_RULE',
  'CONNECTION_REFUSED',
  'SG_HAS_NO_RULES',
  'ENI_SG_RULES_MISMATCH',
  'SG_REFERENCES_NOT_PRESERVED',
  'SIM_PROPAGATION_PENDING',
  'SIM_CONNTRACK_EXPIRED',
  'NO_ROUTE_TO_DESTINATION',
  'SOURCE_NOT_RUNNING',
  'TRACKED_CONNECTION',
]);

function oracleRuleKey(r: Rule): string {
  const ports = r.ports ? (r.ports.from === r.ports.to ? `${r.ports.from}` : `${r.ports.from}-${r.ports.to}`) : '';
  const icmp = r.icmp ? `${r.icmp.type}:${r.icmp.code}` : '';
  const from = r.source.kind === 'cidr' ? `${formatIp(r.source.cidr.base)}/${r.source.cidr.prefix}` : `group ${r.source.group.startsWith('default/') ? 'default' : r.source.group}`;
  return `${r.protocol} ${ports} ${icmp} from ${from}`;
}

function reportRuleKey(f: FlowReport): string | undefined {
  const r = f.explanation.rule;
  if (!r) return undefined;
  const from = 'cidr' in r.from ? r.from.cidr : `group ${r.from.group}`;
  return `${r.protocol} ${r.ports ?? ''} ${r.icmp ?? ''} from ${from}`;
}

/** Where a flow of the report differs from the oracle's decision. */
export function differences(f: FlowReport | undefined, d: Decision): string[] {
  if (!f) return [`flow #${d.index}: missing from the report`];
  const out: string[] = [];
  const cmp = (field: string, got: unknown, want: unknown): void => {
    if (got !== want) out.push(`flow #${d.index} (${f.action} ${f.from} -> ${f.target}${f.port !== undefined ? `:${f.port}` : ''}): ${field} is ${JSON.stringify(got)}, oracle says ${JSON.stringify(want)}`);
  };
  cmp('outcome', f.outcome, d.outcome);
  cmp('path', f.path ?? null, d.path);
  cmp('redirected', f.redirected ?? null, d.redirected);
  cmp('source', f.source ?? null, d.source === null ? null : formatIp(d.source));
  cmp('code', f.explanation.code, d.code);
  if (d.group !== undefined) {
    cmp('group', f.explanation.group, d.group);
    cmp('rule', reportRuleKey(f), oracleRuleKey(d.rule!));
  }
  return out;
}

/** The spec with the oracle's decisions as expectations (for the counterexample file). */
export function withOracleExpectations(spec: ScenarioSpec, decisions: readonly Decision[]): ScenarioSpec {
  const byEntry = new Map(decisions.map((d) => [d.entry, d]));
  const timeline: TimelineEntry[] = spec.timeline.map((e) => {
    const d = byEntry.get(e.index);
    if (!d) return e;
    const expect: Expectation = {
      outcome: d.outcome,
      ...(d.path !== null ? { path: d.path } : {}),
      ...(d.redirected !== null ? { redirected: d.redirected } : {}),
      ...(d.source !== null ? { source: { kind: 'ip', ip: d.source } } : {}),
      ...(EXPECTABLE.has(d.code) ? { code: d.code } : {}),
    };
    return { ...e, expect };
  });
  return { ...spec, timeline };
}
