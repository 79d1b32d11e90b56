/**
 * scenario/vpc/traffic: the timeline's traffic actions and the addresses they name.
 *
 * Owns: `connect`, `send`, `ping` (a sender: an instance, one of its ENIs or an external
 * host; a destination address), `transfer` and `close` (an earlier, still open connect by id),
 * and the address notation of `platform: vpc`: `<host>.private|public|eip|dns` for an
 * instance (its eth0) or a named ENI, `<nat>.private|public`, `<external>`, an IPv4 literal.
 * Does not own: whether the address is held when the flow runs (a run-time outcome), changes
 * (changes.ts), expectations (expect.ts).
 */
import { describeValue, isProblem, listOf, parseAddressSyntax } from '../schema.ts';
import { absent, type Path } from './checker.ts';
import type { VpcAction, VpcAddressSpec } from './spec.ts';
import { entryRef, type EntryDoc, type Replay } from './replay.ts';

const HOST_KINDS = ['instance', 'network interface', 'external host'] as const;

function knownHosts(r: Replay): string {
  return listOf([...r.ctx.names].filter(([, i]) => (HOST_KINDS as readonly string[]).includes(i.kind)).map(([n]) => n)) || 'none';
}

/** `from`: an instance, one of its ENIs, or an external host (not an address). */
export function sender(r: Replay, v: unknown, path: Path): string | undefined {
  const { c, names } = r.ctx;
  if (absent(v)) {
    c.error(path, 'from is required (the sending instance, network interface or external host)');
    return undefined;
  }
  const s = c.string(v, path, 'the sending host');
  if (s === undefined) return undefined;
  const syntax = parseAddressSyntax(s);
  if (!isProblem(syntax) && syntax.kind === 'named' && syntax.suffix === undefined) {
    const info = names.get(s);
    if (!info) {
      c.unknown(path, 'host', s, [...names].filter(([, i]) => (HOST_KINDS as readonly string[]).includes(i.kind)).map(([n]) => n));
      return undefined;
    }
    if (!(HOST_KINDS as readonly string[]).includes(info.kind)) {
      c.error(path, `"${s}" is a ${info.kind}; traffic is sent by an instance, a network interface or an external host (${knownHosts(r)})`);
      return undefined;
    }
    const owner = info.kind === 'network interface' ? info.owner! : s;
    if (info.kind !== 'external host' && !r.launched(owner, path)) return undefined;
    return s;
  }
  const named = !isProblem(syntax) && syntax.kind === 'named' ? syntax.host : undefined;
  c.error(path, named && names.has(named)
    ? `from names the sending host, not an address: write "${named}"`
    : `from names the sending host (an instance, network interface or external host: ${knownHosts(r)}), not an address`);
  return undefined;
}

/** An address spec (`to`, `expect.source`). */
export function address(r: Replay, v: unknown, path: Path): VpcAddressSpec | undefined {
  const { c, names } = r.ctx;
  const syntax = parseAddressSyntax(v);
  if (isProblem(syntax)) {
    c.error(path, syntax.error.replace('<instance>.private, .public, .eip or .dns', '<instance or interface>.private, .public, .eip or .dns, <nat>.private or .public'));
    return undefined;
  }
  if (syntax.kind === 'ip') return { kind: 'ip', ip: syntax.ip };
  const { host, suffix } = syntax;
  const info = names.get(host);
  if (!info) {
    c.unknown(path, 'host', host, [...names].filter(([, i]) => [...HOST_KINDS, 'NAT gateway'].includes(i.kind)).map(([n]) => n));
    return undefined;
  }
  const shown = String(v);
  switch (info.kind) {
    case 'external host':
      if (suffix === undefined) return { kind: 'external', host };
      c.error(path, `${host} is an external host with one address: write "${host}"`);
      return undefined;
    case 'NAT gateway':
      if (suffix === 'private' || suffix === 'public') return { kind: 'nat', nat: host, address: suffix };
      c.error(path, suffix === undefined ? `"${host}" is a NAT gateway; say which address: ${host}.private or ${host}.public` : `unknown address kind "${suffix}" in "${shown}" (a NAT gateway has ${host}.private and ${host}.public)`);
      return undefined;
    case 'instance':
    case 'network interface': {
      const choices = `${host}.private, ${host}.public, ${host}.eip or ${host}.dns`;
      if (suffix === undefined) {
        c.error(path, `"${host}" is ${info.kind === 'instance' ? 'an instance' : 'a network interface'}; say which address: ${choices}`);
        return undefined;
      }
      if (suffix !== 'private' && suffix !== 'public' && suffix !== 'eip' && suffix !== 'dns') {
        c.error(path, `unknown address kind "${suffix}" in "${shown}" (expected ${choices})`);
        return undefined;
      }
      const instance = info.kind === 'instance' ? host : info.owner!;
      if (!r.launched(instance, path)) return undefined;
      const spec = r.instances.get(instance)?.spec;
      const eni = info.kind === 'network interface' ? host : spec?.interfaces[0]?.name ?? host;
      return { kind: suffix, instance, interface: eni };
    }
    default:
      c.error(path, `"${host}" is a ${info.kind}, not a host (addresses name an instance, a network interface, a NAT gateway or an external host)`);
      return undefined;
  }
}

function port(r: Replay, o: Record<string, unknown>, path: Path): number | undefined {
  if (absent(o.port)) {
    r.ctx.c.error([...path, 'port'], 'port is required (the destination port, 0 to 65535)');
    return undefined;
  }
  return r.ctx.c.integer(o.port, [...path, 'port'], 0, 65535, 'port');
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

export function trafficAction(r: Replay, kind: 'connect' | 'send' | 'ping' | 'transfer' | 'close', e: EntryDoc, path: Path): VpcAction | undefined {
  const { c } = r.ctx;
  const v = e.body;
  if (kind === 'transfer' || kind === 'close') {
    const id = idOf(v);
    if (id === undefined) {
      c.error(path, `expected the id of an earlier connect, got ${describeValue(v)}`);
      return undefined;
    }
    const target = r.ids.get(id);
    if (!target) {
      c.error(path, `no connect has id "${id}" (connect ids: ${listOf([...r.ids.values()].filter((x) => x.action === 'connect').map((x) => x.id!)) || 'none'})`);
      return undefined;
    }
    if (target.action !== 'connect') {
      c.error(path, `"${id}" is the id of ${target.action ? `a ${target.action}` : 'an invalid entry'} (timeline[${target.index}]), not of a connect`);
      return undefined;
    }
    const open = r.connects.get(id);
    if (!open) {
      c.error(path, `connect "${id}" comes later (${entryRef(target.index, target.at)}); ${kind} needs an earlier connect`);
      return undefined;
    }
    if (open.closedBy !== undefined) {
      c.error(path, `connection "${id}" is already closed by timeline[${open.closedBy}]`);
      return undefined;
    }
    if (kind === 'close') open.closedBy = e.index;
    return { kind, connection: id };
  }
  const fields = kind === 'ping' ? ['from', 'to'] : kind === 'send' ? ['from', 'to', 'port', 'count'] : ['from', 'to', 'port'];
  const o = c.mapping(v, path, fields, `${kind} fields (${fields.join(', ')})`);
  if (!o) return undefined;
  const from = sender(r, o.from, [...path, 'from']);
  let to: VpcAddressSpec | undefined;
  if (absent(o.to)) c.error([...path, 'to'], 'to is required (an address: <instance>.private, .public, .eip, .dns, <nat>.private or .public, an external host, or an IPv4 address)');
  else to = address(r, o.to, [...path, 'to']);
  if (kind === 'ping') return from && to ? { kind, from, to } : undefined;
  const p = port(r, o, path);
  if (kind === 'connect') return from && to && p !== undefined ? { kind, from, to, port: p } : undefined;
  const count = absent(o.count) ? 1 : c.integer(o.count, [...path, 'count'], 1, Number.MAX_SAFE_INTEGER, 'count');
  return from && to && p !== undefined && count !== undefined ? { kind, from, to, port: p, count } : undefined;
}
