/**
 * analysis/questions/reach: who can reach whom in a classic world (`sgsim reach`).
 *
 * Owns: the union of traces (trace.ts) from a set of senders — `internet` (for each CIDR rule
 * of the receiver's groups that holds an internet address, one sender inside it), a host, or
 * the running members of a group — to every address (private, public) of a set of running
 * receivers, on one port or on every port: the receiver's rules cut the port space into
 * intervals every port of which the rules treat alike, and one trace per interval decides
 * it. A row per admitted (sender, receiver, address, protocol, ports) with the rule that
 * admits; with one port, also the denied pairs and what blocks them. A host's traffic to
 * itself is left out (domain.md does not say what it is).
 * Does not own: tracing itself (trace.ts).
 */
import { groupDisplayName, type SecurityGroup } from '../../model/types.ts';
import { formatCidr, formatIp, type Ip } from '../../net/ipv4.ts';
import { formatPorts, type Protocol } from '../../net/protocol.ts';
import { describeRule } from '../../policy/evaluate.ts';
import { freeInternetAddressIn } from './internet.ts';
import type { ClassicSnapshot } from './snapshot.ts';
import { admitted, traceResolved, type ClassicTrace } from './trace.ts';

export interface ReachQuery {
  /** 'internet', a host's name, or 'group:<name>'; null: running instances and the internet. */
  readonly from: string | null;
  /** A host's name or 'group:<name>'; null: every running instance. */
  readonly to: string | null;
  /** One port, or null: every port. */
  readonly port: number | null;
  readonly protocol: Protocol;
}

export interface ReachRow {
  from: string;
  sources: string[];
  to: string;
  target: string;
  address: string;
  protocol: Protocol;
  ports: string;
  partial: boolean;
  path: 'private' | 'public';
  nat: boolean;
  via: string;
}

export interface ReachDenied {
  from: string;
  to: string;
  target: string;
  protocol: Protocol;
  port: number | null;
  code: string;
  blockedBy: string[];
}

export interface ReachResult {
  rows: ReachRow[];
  denied: ReachDenied[];
  traces: number;
}

export class ReachQueryError extends Error {}

function hostsOf(snap: ClassicSnapshot, sel: string, what: 'from' | 'to'): number[] {
  if (sel.startsWith('group:')) {
    const key = sel.slice(6);
    const out: number[] = [];
    for (let h = 0; h < snap.hostCount; h++) if (snap.isInstance(h) && snap.running(h) && snap.groupsOf(h).some((g) => g === key || groupDisplayName(g) === key)) out.push(h);
    return out;
  }
  const h = snap.hostId(sel);
  if (h === undefined) throw new ReachQueryError(`--${what}: no host ${sel} (a host's name, group:<name>${what === 'from' ? ', or internet' : ''})`);
  return [h];
}

/** Port intervals every port of which the groups' rules for `protocol` treat alike. */
function intervals(groups: readonly SecurityGroup[], protocol: Protocol): [number, number][] {
  if (protocol === 'icmp') return [[-1, -1]];
  const cuts = new Set<number>([0, 65536]);
  for (const g of groups) for (const r of g.ingress) if (r.protocol === protocol && r.ports) cuts.add(r.ports.from).add(r.ports.to + 1);
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < sorted.length; i++) out.push([sorted[i], sorted[i + 1] - 1]);
  return out;
}

function viaOf(t: ClassicTrace): string {
  const e = t.explanation;
  if (e.rule && e.group !== undefined) return `group ${groupDisplayName(e.group)}: ${describeRule(e.rule)}`;
  return e.code === 'NOT_FILTERED' ? 'not filtered (outside AWS)' : e.code;
}

/** Who reaches whom. */
export function reach(snap: ClassicSnapshot, q: ReachQuery): ReachResult {
  const receivers = q.to === null ? [...Array(snap.hostCount).keys()].filter((h) => snap.isInstance(h) && snap.running(h)) : hostsOf(snap, q.to, 'to').filter((h) => snap.running(h));
  const senders: (number | 'internet')[] = q.from === null ? ['internet', ...[...Array(snap.hostCount).keys()].filter((h) => snap.isInstance(h) && snap.running(h))] : q.from === 'internet' ? ['internet'] : hostsOf(snap, q.from, 'from');
  const rows: ReachRow[] = [];
  const denied: ReachDenied[] = [];
  let traces = 0;
  for (const r of receivers) {
    const groups = snap.groupsInForce(r);
    const addresses: [Ip, string][] = [[snap.privateIpOf(r), 'private']];
    if (snap.publicIpOf(r) !== 0) addresses.push([snap.publicIpOf(r), 'public']);
    const spans: [number, number][] = q.port !== null ? [[q.port, q.port]] : intervals(groups, q.protocol);
    for (const s of senders) {
      if (s === r) continue; // traffic to oneself: the domain does not say what it is
      // The internet: one sender inside each CIDR rule that holds an internet address.
      const from: [number, string, string[]][] = [];
      if (s === 'internet') {
        const seen = new Set<Ip>();
        for (const g of groups) for (const rule of g.ingress) {
          if (rule.source.kind !== 'cidr') continue;
          const ip = freeInternetAddressIn(rule.source.cidr, snap.held);
          if (ip !== null && !seen.has(ip)) {
            seen.add(ip);
            from.push([snap.addInternet(ip), 'internet', [formatCidr(rule.source.cidr)]]);
          }
        }
      } else from.push([s, snap.nameOf(s), []]);
      for (const [ip, kind] of addresses) {
        if (s === 'internet' && kind === 'private') continue; // a private address is not reachable from outside AWS
        const merged = new Map<string, ReachRow>();
        for (const [sender, name, sources] of from) {
          for (const [lo, hi] of spans) {
            const t = traceResolved(snap, { from: name, to: { kind: 'ip', ip }, protocol: q.protocol, port: Math.max(0, lo) }, sender, ip);
            traces++;
            if (!admitted(t.outcome)) {
              if (q.port !== null && s !== 'internet') denied.push({ from: name, to: snap.nameOf(r), target: `${snap.nameOf(r)}.${kind}`, protocol: q.protocol, port: q.protocol === 'icmp' ? null : q.port, code: t.explanation.code, blockedBy: [t.explanation.code, ...(t.explanation.blockers ?? [])] });
              continue;
            }
            const f = t.forward!.packet;
            const via = viaOf(t);
            const ports = q.protocol === 'icmp' ? 'echo' : formatPorts({ from: lo, to: hi });
            const key = `${via}\u0000${ports}`;
            const row = merged.get(key);
            if (row) {
              for (const c of sources) if (!row.sources.includes(c)) row.sources.push(c);
            } else {
              merged.set(key, { from: name, sources: [...sources], to: snap.nameOf(r), target: `${snap.nameOf(r)}.${kind}`, address: formatIp(ip), protocol: q.protocol, ports, partial: false, path: f.privatePath ? 'private' : 'public', nat: !f.privatePath, via });
            }
          }
        }
        rows.push(...merged.values());
      }
    }
  }
  return { rows, denied, traces };
}
