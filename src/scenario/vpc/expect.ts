/**
 * scenario/vpc/expect: a traffic entry's `expect` in `platform: vpc`.
 *
 * Owns: the outcome (an action's own: connect connected|refused|timeout|exited, send
 * delivered|dropped|exited, ping replied|timeout|exited, transfer delivered|dropped|reset),
 * `path`, `redirected` (never true in vpc), `source`, `code` (the VPC format's codes and
 * classic's), `nat`, `hops` / `replyHops` (`name` or `kind:name`, the name of an object of
 * that kind: an ENI on SG hops), `blockedBy` (one item: the primary blocker; a list: all), and
 * their fit: an admitted outcome names no blocker and no code of a drop.
 * Does not own: whether the expectation holds (the run).
 */
import { closest, describeValue, listOf } from '../schema.ts';
import { absent, type Path } from './checker.ts';
import { address } from './traffic.ts';
import type { Replay, EntryDoc } from './replay.ts';
import { ADMITTED_CODES, ADMITTED_OUTCOMES, EXPECT_FIELDS, HOP_KINDS, OUTCOMES, TRAFFIC_ACTIONS, VPC_CODES, type ObjectKind } from './vocabulary.ts';
import type { HopKind, HopRef, VpcExpectation, VpcOutcome } from './spec.ts';

const HOP_OBJECTS: Readonly<Record<HopKind, readonly ObjectKind[]>> = {
  'sg-egress': ['network interface', 'instance'],
  'sg-ingress': ['network interface', 'instance'],
  eni: ['network interface', 'instance', 'NAT gateway'],
  'route-table': ['route table'],
  'nacl-out': ['network ACL'],
  'nacl-in': ['network ACL'],
  igw: ['internet gateway'],
  nat: ['NAT gateway'],
  pcx: ['peering'],
  tgw: ['transit gateway', 'transit gateway attachment', 'transit gateway route table'],
  vgw: ['VPN gateway'],
  host: ['instance', 'network interface', 'external host'],
};

function hop(r: Replay, v: unknown, path: Path): HopRef | undefined {
  const { c, names } = r.ctx;
  const text = c.string(v, path, 'a hop (name or kind:name)');
  if (text === undefined) return undefined;
  const colon = text.indexOf(':');
  if (colon < 0) {
    if (names.has(text) || r.ctx.groupNames.has(text)) return { name: text };
    c.unknown(path, 'hop name', text, names.keys());
    return undefined;
  }
  const kind = text.slice(0, colon) as HopKind;
  const name = text.slice(colon + 1);
  if (!HOP_KINDS.includes(kind)) {
    const hint = closest(kind, HOP_KINDS);
    c.error(path, `unknown hop kind "${kind}" in "${text}" (expected one of ${HOP_KINDS.join(', ')}${hint ? `; did you mean ${hint}?` : ''})`);
    return undefined;
  }
  const info = names.get(name);
  const kinds = HOP_OBJECTS[kind];
  if (!info || !kinds.includes(info.kind)) {
    const known = [...names].filter(([, i]) => kinds.includes(i.kind)).map(([n]) => n);
    const what = info ? `"${name}" is ${/^[aeiou]/.test(info.kind) ? 'an' : 'a'} ${info.kind}` : r.ctx.groupNames.has(name) ? `"${name}" is a group` : `unknown name "${name}"`;
    const wanted = kind.startsWith('sg-') ? 'the network interface (an instance\'s lone ENI bears its name)' : kinds.join(' or ');
    c.error(path, `${what}; ${/^[aeios]/.test(kind) ? 'an' : 'a'} ${kind} hop names ${wanted} (known: ${listOf(known) || 'none'})`);
    return undefined;
  }
  return { kind, name };
}

function hops(r: Replay, v: unknown, path: Path): HopRef[] | undefined {
  const list = r.ctx.c.list(v, path, 'hops (name or kind:name items)');
  if (!list) return undefined;
  const out: HopRef[] = [];
  let ok = true;
  list.forEach((h, i) => {
    const x = hop(r, h, [...path, i]);
    if (x) out.push(x);
    else ok = false;
  });
  return ok ? out : undefined;
}

export function expectation(r: Replay, e: EntryDoc): VpcExpectation | undefined {
  if (absent(e.expect) || !e.action) return undefined;
  const { c } = r.ctx;
  const path = [...e.path, 'expect'];
  const kind = e.action;
  const outcomes = OUTCOMES[kind];
  if (!TRAFFIC_ACTIONS.includes(kind) || !outcomes) {
    c.error(path, `${kind} has no outcome to expect (expect goes with connect, send, ping or transfer)`);
    return undefined;
  }
  const fits = `a ${kind} is ${outcomes.slice(0, -1).join(', ')} or ${outcomes[outcomes.length - 1]}`;
  const outcome = (x: unknown, at: Path): VpcOutcome | undefined => {
    if (typeof x === 'string' && (outcomes as readonly string[]).includes(x)) return x as VpcOutcome;
    const all = new Set(Object.values(OUTCOMES).flat());
    c.error(at, typeof x === 'string' && all.has(x as VpcOutcome) ? `${kind} cannot expect "${x}" (${fits})` : `unknown outcome ${describeValue(x)} (${fits})`);
    return undefined;
  };
  const before = c.count;
  if (typeof e.expect === 'string') {
    const o = outcome(e.expect, path);
    return o ? { outcome: o } : undefined;
  }
  const o = c.mapping(e.expect, path, EXPECT_FIELDS, `an outcome (${outcomes.join(', ')}) or { ${EXPECT_FIELDS.join(', ')} }`);
  if (!o) return undefined;
  if (Object.keys(o).length === 0) {
    c.error(path, `expect is empty (give an outcome, or any of ${EXPECT_FIELDS.slice(1).join(', ')})`);
    return undefined;
  }
  const result: { -readonly [K in keyof VpcExpectation]: VpcExpectation[K] } = {};
  if (!absent(o.outcome)) result.outcome = outcome(o.outcome, [...path, 'outcome']);
  if (!absent(o.path)) {
    if (o.path === 'private' || o.path === 'public') result.path = o.path;
    else c.error([...path, 'path'], `unknown path ${describeValue(o.path)} (expected private or public)`);
  }
  if (!absent(o.redirected)) {
    if (o.redirected === true) c.error([...path, 'redirected'], 'nothing is redirected in platform vpc (a packet to another region\'s private address goes over peering or a transit gateway, or dies at the IGW)');
    else if (o.redirected !== false) c.error([...path, 'redirected'], `expected true or false, got ${describeValue(o.redirected)}`);
  }
  if (!absent(o.source)) result.source = address(r, o.source, [...path, 'source']);
  if (!absent(o.nat)) {
    if (typeof o.nat === 'boolean') result.nat = o.nat;
    else c.error([...path, 'nat'], `expected true or false, got ${describeValue(o.nat)}`);
  }
  if (!absent(o.code)) {
    if (typeof o.code === 'string' && VPC_CODES.includes(o.code)) result.code = o.code;
    else {
      const hint = typeof o.code === 'string' ? closest(o.code, VPC_CODES) : undefined;
      c.error([...path, 'code'], `unknown explanation code ${describeValue(o.code)} (expected one of ${VPC_CODES.join(', ')}${hint ? `; did you mean ${hint}?` : ''})`);
    }
  }
  if (!absent(o.hops)) result.hops = hops(r, o.hops, [...path, 'hops']);
  if (!absent(o.replyHops)) result.replyHops = hops(r, o.replyHops, [...path, 'replyHops']);
  if (!absent(o.blockedBy)) {
    if (Array.isArray(o.blockedBy)) {
      if (o.blockedBy.length === 0) c.error([...path, 'blockedBy'], 'blockedBy is empty (name the blocker, or list every one)');
      const list = hops(r, o.blockedBy, [...path, 'blockedBy']);
      if (list && list.length > 0) result.blockedBy = { mode: 'all', hops: list };
    } else {
      const one = hop(r, o.blockedBy, [...path, 'blockedBy']);
      if (one) result.blockedBy = { mode: 'primary', hops: [one] };
    }
  }
  const admitted = result.outcome !== undefined && ADMITTED_OUTCOMES.includes(result.outcome);
  if (admitted && result.blockedBy) {
    c.error([...path, 'blockedBy'], `a ${result.outcome} flow was not blocked (blockedBy goes with ${outcomes.filter((x) => !ADMITTED_OUTCOMES.includes(x)).join(' or ')})`);
  }
  if (admitted && result.code && !(ADMITTED_CODES as readonly string[]).includes(result.code)) {
    c.error([...path, 'code'], `${result.code} is the code of a flow that failed; a ${result.outcome} flow is explained by ${ADMITTED_CODES.join(', ')}`);
  }
  if (result.outcome === 'refused' && result.code && result.code !== 'CONNECTION_REFUSED') {
    c.error([...path, 'code'], `a refused connect is explained by CONNECTION_REFUSED, not ${result.code}`);
  }
  return c.count > before ? undefined : result;
}
