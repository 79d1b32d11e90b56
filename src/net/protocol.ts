/**
 * net/protocol: protocols, port ranges and ICMP type/code as pure data.
 *
 * Owns: the protocol vocabulary of classic security groups (tcp, udp, icmp, all), inclusive
 * port ranges, and the 16-bit "match key" that lets one interval index serve ports and ICMP
 * (type << 8 | code). Does not own: rules (model/) or their evaluation (policy/).
 */

export type Protocol = 'tcp' | 'udp' | 'icmp';
export type RuleProtocol = Protocol | 'all';

export const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'icmp'];

/** Numeric protocol ids used on the hot path (IANA numbers). */
export const TCP = 6;
export const UDP = 17;
export const ICMP = 1;

export function protocolNumber(p: Protocol): number {
  return p === 'tcp' ? TCP : p === 'udp' ? UDP : ICMP;
}

export function protocolName(n: number): Protocol {
  return n === TCP ? 'tcp' : n === UDP ? 'udp' : 'icmp';
}

/** An inclusive range of destination ports, 0..65535. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export const ALL_PORTS: PortRange = { from: 0, to: 65535 };

/** ICMP match: type and code, -1 meaning any (AWS encodes type in FromPort, code in ToPort). */
export interface IcmpMatch {
  readonly type: number;
  readonly code: number;
}

export const ICMP_ECHO_REQUEST = 8;
export const ICMP_ECHO_REPLY = 0;

/**
 * TCP flags as sgsim's segments carry them (one definition: transport/ builds segments with
 * them, conntrack/ reads FIN and RST). F_DATA marks a segment carrying data (TCP has no such
 * bit; sgsim's one data segment of a `transfer`).
 */
export const F_SYN = 1;
export const F_ACK = 2;
export const F_FIN = 4;
export const F_RST = 8;
export const F_DATA = 16;

export function describeFlags(flags: number): string {
  const out: string[] = [];
  if (flags & F_SYN) out.push('SYN');
  if (flags & F_FIN) out.push('FIN');
  if (flags & F_RST) out.push('RST');
  if (flags & F_DATA) out.push('DATA');
  if (flags & F_ACK) out.push('ACK');
  return out.join('|');
}

export function formatPorts(r: PortRange): string {
  return r.from === r.to ? String(r.from) : `${r.from}-${r.to}`;
}

export function formatIcmp(m: IcmpMatch): string {
  return `${m.type}:${m.code}`;
}

/** The interval of 16-bit match keys an ICMP match covers. */
export function icmpKeyRange(m: IcmpMatch): PortRange {
  if (m.type < 0) return ALL_PORTS;
  if (m.code < 0) return { from: m.type << 8, to: (m.type << 8) | 255 };
  const k = (m.type << 8) | m.code;
  return { from: k, to: k };
}

export function icmpKey(type: number, code: number): number {
  return (type << 8) | code;
}
