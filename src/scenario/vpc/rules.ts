/**
 * scenario/vpc/rules: the protocol, port and ICMP part shared by NACL entries and group rules.
 *
 * Owns: `protocol` (`all`, `tcp`, `udp`, `icmp`, or an IP protocol number 0-255, with -1, 6, 17
 * and 1 read as all, tcp, udp and icmp, default `all`); `ports` (required for tcp and udp, not
 * allowed otherwise); `icmp` (only for icmp; default any type and code).
 * Does not own: sources and destinations (acls.ts: `cidr`; groups.ts: `from` / `to`).
 */
import type { IcmpMatch, PortRange } from '../../net/protocol.ts';
import { checkIcmp, closest, describeValue, isProblem, parseIcmpText, parsePorts } from '../schema.ts';
import { absent, type Checker, type Obj, type Path } from './checker.ts';
import type { NaclProtocol } from './spec.ts';

const NAMES: Readonly<Record<number, NaclProtocol>> = { [-1]: 'all', 6: 'tcp', 17: 'udp', 1: 'icmp' };

export function checkProtocol(c: Checker, v: unknown, path: Path): NaclProtocol | undefined {
  if (absent(v)) return 'all';
  if (v === 'all' || v === 'tcp' || v === 'udp' || v === 'icmp') return v;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : undefined;
  if (n !== undefined && Number.isInteger(n) && n >= -1 && n <= 255) return NAMES[n] ?? n;
  const hint = typeof v === 'string' ? closest(v, ['all', 'tcp', 'udp', 'icmp']) : undefined;
  c.error(path, `unknown protocol ${describeValue(v)} (expected all, tcp, udp, icmp or a protocol number 0 to 255${hint && hint !== v ? `; did you mean ${hint}?` : ''})`);
  return undefined;
}

export function checkIcmpDoc(c: Checker, v: unknown, path: Path): IcmpMatch | undefined {
  if (typeof v === 'string') {
    const m = parseIcmpText(v);
    if (isProblem(m)) {
      c.error(path, m.error);
      return undefined;
    }
    return m;
  }
  const o = c.mapping(v, path, ['type', 'code'], 'an icmp match ({ type, code } or "type:code" such as "8:-1")');
  if (!o) return undefined;
  if (absent(o.type)) {
    c.error([...path, 'type'], 'type is required (an icmp type 0 to 255, or -1 for any)');
    return undefined;
  }
  const m = checkIcmp(o.type, absent(o.code) ? -1 : o.code);
  if (isProblem(m)) {
    c.error([...path, /^icmp code/.test(m.error) || (o.type === -1 && !absent(o.code)) ? 'code' : 'type'], m.error);
    return undefined;
  }
  return m;
}

/** Protocol, ports and icmp of a rule or entry; undefined (after reporting) when any is wrong. */
export function checkMatch(c: Checker, o: Obj, path: Path): { protocol: NaclProtocol; ports?: PortRange; icmp?: IcmpMatch } | undefined {
  const before = c.count;
  const protocol = checkProtocol(c, o.protocol, [...path, 'protocol']);
  let ports: PortRange | undefined;
  let icmp: IcmpMatch | undefined;
  const shown = typeof protocol === 'number' ? `protocol ${protocol}` : `protocol ${protocol}`;
  if (!absent(o.ports)) {
    if (protocol === 'tcp' || protocol === 'udp') {
      const p = parsePorts(o.ports);
      if (isProblem(p)) c.error([...path, 'ports'], p.error);
      else ports = p;
    } else if (protocol === 'icmp') c.error([...path, 'ports'], 'icmp takes no ports (use icmp: { type, code } or "8:-1")');
    else if (protocol !== undefined) c.error([...path, 'ports'], `${shown} takes no ports (ports go with tcp and udp); remove ports or name tcp or udp`);
  } else if (protocol === 'tcp' || protocol === 'udp') {
    c.error([...path, 'ports'], `${protocol} needs ports (e.g. 22, "8000-8080" or [8000, 8080]; 0-65535 for every port)`);
  }
  if (!absent(o.icmp)) {
    if (protocol === 'icmp') icmp = checkIcmpDoc(c, o.icmp, [...path, 'icmp']);
    else if (protocol !== undefined) c.error([...path, 'icmp'], `${shown} takes no icmp (icmp goes with protocol: icmp)`);
  } else if (protocol === 'icmp') icmp = { type: -1, code: -1 };
  if (c.count > before || protocol === undefined) return undefined;
  return { protocol, ...(ports ? { ports } : {}), ...(icmp ? { icmp } : {}) };
}

/** Two matches are the same when protocol, ports and icmp agree. */
export function sameMatch(a: { protocol: NaclProtocol; ports?: PortRange; icmp?: IcmpMatch }, b: typeof a): boolean {
  return a.protocol === b.protocol
    && (a.ports?.from ?? -2) === (b.ports?.from ?? -2) && (a.ports?.to ?? -2) === (b.ports?.to ?? -2)
    && (a.icmp?.type ?? -2) === (b.icmp?.type ?? -2) && (a.icmp?.code ?? -2) === (b.icmp?.code ?? -2);
}
