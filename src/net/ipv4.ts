/**
 * net/ipv4: IPv4 addresses and CIDR blocks as plain integers.
 *
 * Owns: parsing and validating dotted-quad addresses and CIDR notation at the edge (through
 * ip-num), and the integer form the hot path uses (an address is a uint32 held in a JS number;
 * a CIDR is a base address and a prefix length, matched with an integer mask).
 * Does not own: which addresses hosts hold (model/) or how they are routed (fabric/).
 */
import { IPv4, IPv4CidrRange, Validator } from 'ip-num';

/** An IPv4 address as an unsigned 32-bit integer (0 .. 2^32-1). */
export type Ip = number;

export interface Cidr {
  /** The network address, already masked. */
  readonly base: Ip;
  /** Prefix length, 0..32. */
  readonly prefix: number;
}

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses a dotted-quad address, or returns an error message in sgsim's own words (which
 * quotes the input and says what is wrong with it; ip-num's texts never reach a user).
 */
export function parseIp(text: string): Ip | { error: string } {
  const not = (why: string): { error: string } => ({ error: `"${text}" is not an IPv4 address (${why})` });
  const m = DOTTED.exec(text);
  if (!m) {
    const slash = text.indexOf('/');
    if (slash >= 0 && DOTTED.test(text.slice(0, slash))) {
      return { error: `"${text}" is not an IPv4 address: it is a CIDR block (an address is written without a prefix length such as /${text.slice(slash + 1)})` };
    }
    if (text.trim() !== text) return not('it has spaces around it');
    return not('expected four numbers 0 to 255 separated by dots, such as 10.0.0.5');
  }
  const octets = m.slice(1);
  if (octets.some((o) => o.length > 1 && o.startsWith('0'))) return not('octets may not have leading zeros');
  const big = octets.find((o) => Number(o) > 255);
  if (big !== undefined) return not(`${big} is more than 255; each of the four numbers is 0 to 255`);
  // ip-num is the authority on the notation: checked here, it must agree.
  const [ok] = Validator.isValidIPv4String(text);
  if (!ok) return not('expected four numbers 0 to 255 separated by dots, such as 10.0.0.5');
  return Number(IPv4.fromDecimalDottedString(text).getValue());
}

/** Parses CIDR notation (`10.0.0.0/8`), insisting on a network address. */
export function parseCidr(text: string): Cidr | { error: string } {
  const slash = text.indexOf('/');
  if (slash < 0) return { error: `"${text}" is not a CIDR block (expected a.b.c.d/n)` };
  const ip = parseIp(text.slice(0, slash));
  if (typeof ip !== 'number') return { error: `"${text}" is not a CIDR block: ${ip.error}` };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) {
    return { error: `"${text}" is not a CIDR block: the prefix length must be 0 to 32` };
  }
  const prefix = Number(prefixText);
  const [ok] = Validator.isValidIPv4CidrRange(text);
  const base = (ip & maskOf(prefix)) >>> 0;
  if (!ok || base !== ip) {
    return { error: `"${text}" is not a CIDR block: host bits are set (did you mean ${formatIp(base)}/${prefix}?)` };
  }
  // ip-num is the authority on the notation; cross-check its reading of the range.
  const range = IPv4CidrRange.fromCidr(text);
  return { base: Number(range.getFirst().getValue()), prefix: Number(range.getPrefix().getValue()) };
}

/** The netmask of a prefix length as a uint32. */
export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Whether `ip` lies in `cidr`. */
export function cidrContains(cidr: Cidr, ip: Ip): boolean {
  return ((ip & maskOf(cidr.prefix)) >>> 0) === cidr.base;
}

export function formatIp(ip: Ip): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.base)}/${cidr.prefix}`;
}

/** 10.0.0.0/8: EC2-Classic private addresses (domain.md §4). */
export const CLASSIC_PRIVATE: Cidr = { base: 0x0a000000, prefix: 8 };

export function isClassicPrivate(ip: Ip): boolean {
  return cidrContains(CLASSIC_PRIVATE, ip);
}
