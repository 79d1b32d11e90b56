/**
 * analysis/diagram/model: a scenario's world as a graph to draw (regions as boxes, instances
 * inside with their addresses and groups, external hosts, an `internet` node, and edges for
 * who may reach whom), optionally with the flows of a run laid over it.
 *
 * Owns: which nodes and boxes a world has, the edges its ingress rules allow (reachEdges: a
 * group source admits that group's running members of the same region over private
 * addresses; a CIDR source admits the external hosts inside it, same-region instances whose
 * private address is inside it and any instance whose public address or EIP is inside it;
 * 0.0.0.0/0 is drawn once, from `internet`), and how a run's flows become coloured edges.
 * Does not own: any output syntax (dot.ts, mermaid.ts) or layout (svg.ts, Graphviz).
 * Every list is in a fixed order (the scenario's own order, then names), so the same input
 * always gives the same graph.
 */
import { cidrContains, formatCidr, formatIp, type Ip } from '../../net/ipv4.ts';
import { formatIcmp, formatPorts } from '../../net/protocol.ts';
import { groupDisplayName, type Instance, type Rule } from '../../model/types.ts';
import { getInstance, type World } from '../../model/world.ts';
import { initialWorld, type FlowReport } from '../../scenario/run.ts';
import type { ScenarioSpec } from '../../scenario/spec.ts';

export type NodeKind = 'instance' | 'external' | 'internet';

export interface DiagramNode {
  /** Unique id (the host's name; `internet` for the internet). */
  readonly id: string;
  readonly kind: NodeKind;
  /** First line: the name. */
  readonly title: string;
  /** Further lines: addresses, groups. */
  readonly lines: readonly string[];
}

export interface DiagramBox {
  readonly id: string;
  readonly label: string;
  readonly nodes: readonly string[];
  readonly boxes: readonly DiagramBox[];
}

/** allowed: a rule allows it; the others: what a run's flows did. */
export type EdgeState = 'allowed' | 'connected' | 'refused' | 'timeout';

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  /** 'private' or 'public': which addresses the traffic uses. */
  readonly path: 'private' | 'public';
  /** Protocol and ports, one per line (`tcp 3306`, `all`, `icmp`). */
  readonly labels: readonly string[];
  readonly state: EdgeState;
  /** Drawn with arrows at both ends: the same labels, path and state hold the other way too. */
  readonly both?: boolean;
  /** Hover text: the rules or flows behind the edge. */
  readonly tooltip: string;
}

export interface Diagram {
  readonly name: string;
  readonly boxes: readonly DiagramBox[];
  /** Nodes outside every box (external hosts, internet). */
  readonly loose: readonly string[];
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

export const INTERNET = 'internet';

/** The label of a rule's protocol and ports: `tcp 3306`, `udp 1000-2000`, `icmp 8:0`, `all`. */
export function ruleLabel(rule: Rule): string {
  if (rule.protocol === 'all') return 'all';
  if (rule.protocol === 'icmp') return rule.icmp && rule.icmp.type >= 0 ? `icmp ${formatIcmp(rule.icmp)}` : 'icmp';
  if (!rule.ports || (rule.ports.from === 0 && rule.ports.to === 65535)) return `${rule.protocol} all`;
  return `${rule.protocol} ${formatPorts(rule.ports)}`;
}

function sourceText(rule: Rule): string {
  return rule.source.kind === 'cidr' ? formatCidr(rule.source.cidr) : `group ${groupDisplayName(rule.source.group)}`;
}

function publicAddressOf(i: Instance): Ip | null {
  return i.elasticIp ?? i.publicIp;
}

/**
 * The edges the world's ingress rules allow, into every running instance, merged per
 * (from, to, path), labels sorted. `order` is the instances' order (the scenario's).
 */
export function reachEdges(world: World, order: readonly string[], externals: readonly { name: string; ip: Ip }[]): DiagramEdge[] {
  const running = order.map((n) => getInstance(world, n)).filter((i): i is Instance => i !== undefined && i.state === 'running');
  const merged = new Map<string, { from: string; to: string; path: 'private' | 'public'; labels: Set<string>; why: Set<string> }>();
  const add = (from: string, to: string, path: 'private' | 'public', rule: Rule, group: string) => {
    if (from === to) return;
    const key = `${from}\u0000${to}\u0000${path}`;
    let e = merged.get(key);
    if (!e) merged.set(key, (e = { from, to, path, labels: new Set(), why: new Set() }));
    e.labels.add(ruleLabel(rule));
    e.why.add(`${groupDisplayName(group)}: ${ruleLabel(rule)} from ${sourceText(rule)}`);
  };
  for (const target of running) {
    for (const g of target.groups) {
      const group = world.groups[g];
      if (!group) continue;
      for (const rule of group.ingress) {
        const src = rule.source;
        if (src.kind === 'group') {
          for (const s of running) if (s.region === target.region && s.groups.includes(src.group)) add(s.name, target.name, 'private', rule, g);
          continue;
        }
        if (src.cidr.prefix === 0) {
          add(INTERNET, target.name, 'public', rule, g);
          continue;
        }
        for (const x of externals) if (cidrContains(src.cidr, x.ip)) add(x.name, target.name, 'public', rule, g);
        for (const s of running) {
          if (s.region === target.region && s.privateIp !== null && cidrContains(src.cidr, s.privateIp)) add(s.name, target.name, 'private', rule, g);
          const pub = publicAddressOf(s);
          if (pub !== null && cidrContains(src.cidr, pub)) add(s.name, target.name, 'public', rule, g);
        }
      }
    }
  }
  return [...merged.values()].map((e) => ({
    from: e.from,
    to: e.to,
    path: e.path,
    labels: [...e.labels].sort(),
    state: 'allowed' as const,
    tooltip: [...e.why].sort().join('\n'),
  }));
}

/** The node a flow's target names: `web1.private` → web1, an external host's name, else null. */
function targetNode(target: string, names: ReadonlySet<string>): string | null {
  if (names.has(target)) return target;
  const dot = target.lastIndexOf('.');
  const base = dot > 0 ? target.slice(0, dot) : target;
  return names.has(base) ? base : null;
}

function stateOf(outcome: string): EdgeState {
  if (outcome === 'connected' || outcome === 'delivered' || outcome === 'replied') return 'connected';
  if (outcome === 'refused') return 'refused';
  return 'timeout';
}

/** The edges of a run's flows, merged per (from, to, path, what happened), in first-flow order. */
export function flowEdges(flows: Iterable<FlowReport>, names: ReadonlySet<string>): DiagramEdge[] {
  const merged = new Map<string, { from: string; to: string; path: 'private' | 'public'; state: EdgeState; labels: Set<string>; why: string[] }>();
  for (const f of flows) {
    if (f.action === 'transfer') continue;
    const to = targetNode(f.target, names) ?? INTERNET;
    if (!names.has(f.from)) continue;
    const state = stateOf(f.outcome);
    const path = f.path === 'private' ? 'private' : 'public';
    const key = `${f.from}\u0000${to}\u0000${path}\u0000${state}`;
    let e = merged.get(key);
    if (!e) merged.set(key, (e = { from: f.from, to, path, state, labels: new Set(), why: [] }));
    e.labels.add(f.port !== undefined ? `${f.protocol} ${f.port}` : f.protocol);
    e.why.push(`${f.id ?? `#${f.index}`}: ${f.action} ${f.target}${f.port !== undefined ? `:${f.port}` : ''} → ${f.outcome} (${f.explanation.code})`);
  }
  return [...merged.values()].map((e) => ({
    from: e.from,
    to: e.to,
    path: e.path,
    labels: [...e.labels].sort(),
    state: e.state,
    tooltip: e.why.join('\n'),
  }));
}

/**
 * The diagram of a scenario's starting world; with `flows`, the run's flows drawn over it
 * (and the rule edges no flow took, still shown as allowed).
 */
export function diagramOf(spec: ScenarioSpec, flows?: Iterable<FlowReport>): Diagram {
  const world = initialWorld(spec);
  const order = spec.instances.map((i) => i.name);
  const nodes: DiagramNode[] = [];
  const boxes: DiagramBox[] = [];
  for (const r of spec.regions) {
    const inRegion = order.filter((n) => getInstance(world, n)?.region === r.name);
    boxes.push({ id: `region:${r.name}`, label: r.name, nodes: inRegion, boxes: [] });
  }
  for (const name of order) {
    const i = getInstance(world, name)!;
    const lines: string[] = [];
    if (i.state !== 'running') lines.push(i.state);
    if (i.privateIp !== null) lines.push(`private ${formatIp(i.privateIp)}`);
    if (i.elasticIp !== null) lines.push(`EIP ${formatIp(i.elasticIp)}`);
    else if (i.publicIp !== null) lines.push(`public ${formatIp(i.publicIp)}`);
    lines.push(`groups: ${i.groups.map(groupDisplayName).join(', ')}`);
    nodes.push({ id: name, kind: 'instance', title: name, lines });
  }
  const loose: string[] = [];
  for (const x of spec.external) {
    nodes.push({ id: x.name, kind: 'external', title: x.name, lines: [formatIp(x.ip)] });
    loose.push(x.name);
  }
  const names = new Set(nodes.map((n) => n.id));
  let edges = reachEdges(world, order, spec.external);
  if (flows !== undefined) {
    const run = flowEdges(flows, new Set([...names, INTERNET]));
    const taken = new Set(run.map((e) => `${e.from}\u0000${e.to}\u0000${e.path}`));
    edges = [...run, ...edges.filter((e) => !taken.has(`${e.from}\u0000${e.to}\u0000${e.path}`))];
  }
  edges = pairUp(edges);
  if (edges.some((e) => e.from === INTERNET || e.to === INTERNET)) {
    nodes.push({ id: INTERNET, kind: 'internet', title: 'internet', lines: ['0.0.0.0/0'] });
    loose.unshift(INTERNET);
  }
  return { name: spec.name, boxes, loose, nodes, edges };
}

/**
 * Merges each pair of edges a→b and b→a with the same path, state and labels into one edge
 * drawn with arrows at both ends (kept where the first of the two was).
 */
export function pairUp(edges: readonly DiagramEdge[]): DiagramEdge[] {
  const sig = (e: DiagramEdge, from: string, to: string) => `${from}\u0000${to}\u0000${e.path}\u0000${e.state}\u0000${e.labels.join('\u0001')}`;
  const index = new Map<string, number>();
  edges.forEach((e, i) => index.set(sig(e, e.from, e.to), i));
  const dropped = new Set<number>();
  const out: DiagramEdge[] = [];
  edges.forEach((e, i) => {
    if (dropped.has(i)) return;
    const j = index.get(sig(e, e.to, e.from));
    if (j !== undefined && j > i && !dropped.has(j)) {
      dropped.add(j);
      out.push({ ...e, both: true, tooltip: `${e.tooltip}\n${edges[j].tooltip}` });
    } else out.push(e);
  });
  return out;
}
