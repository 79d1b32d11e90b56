/**
 * import/aws/common: what every describe-* module shares.
 *
 * Owns: the zod pieces for values AWS writes in many places (ids, CIDR blocks, IPv4 addresses,
 * `Tags`), the `Name` tag as a label, region names (of folders and of availability zones), and
 * the spelling of ports and protocols in a scenario document.
 * Does not own: any one resource's keys (each has its module), reading files (read.ts).
 */
import { z } from 'zod';
import { parseIp } from '../../net/ipv4.ts';

/** A string that is an IPv4 address. */
export const ipv4 = z.string().refine((s) => typeof parseIp(s) === 'number', { message: 'expected an IPv4 address (a.b.c.d)' });

/**
 * A string that is an IPv4 CIDR block. Host bits are allowed (AWS prints some rules so);
 * `cidrText` writes the block's network address.
 */
export const cidr = z.string().refine((s) => hostCidr(s) !== null, { message: 'expected an IPv4 CIDR block (a.b.c.d/n)' });

/** `10.0.0.5/24` → `10.0.0.0/24`; null when the text is no CIDR block at all. */
export function hostCidr(text: string): string | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (typeof ip !== 'number' || !/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) return null;
  const prefix = Number(prefixText);
  const base = prefix === 0 ? 0 : (ip & ((0xffffffff << (32 - prefix)) >>> 0)) >>> 0;
  return `${[base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255].join('.')}/${prefix}`;
}

export const tags = z.array(z.looseObject({ Key: z.string(), Value: z.string() })).optional();

/** The `Name` tag's value, if any and not blank. */
export function nameTag(list: readonly { Key: string; Value: string }[] | undefined): string | undefined {
  const value = list?.find((t) => t.Key === 'Name')?.Value;
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+$/;
const ZONE_REGION = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)(?:[a-z]|-[a-z0-9-]+)$/;

/** True for a region name such as `us-east-1` or `us-gov-west-1` (a Batfish folder name). */
export function isRegionName(name: string): boolean {
  return REGION.test(name);
}

/** The region of an availability zone (`us-east-1a`, `us-west-2-lax-1a` → its region). */
export function regionOfZone(zone: string): string | undefined {
  return ZONE_REGION.exec(zone)?.[1];
}

/** A port range as a scenario writes it: `22` for one port, `"0-65535"` for a range. */
export function portsText(from: number, to: number): number | string {
  return from === to ? from : `${from}-${to}`;
}

/**
 * The protocol AWS writes (`-1`, `tcp`, `6`, `50`…) as a scenario names it; null for ICMPv6
 * (IPv6, not modelled); undefined for text that names no protocol.
 */
export function protocolName(aws: string): 'all' | 'tcp' | 'udp' | 'icmp' | number | null | undefined {
  const p = aws.toLowerCase();
  if (p === '-1' || p === 'all') return 'all';
  if (p === 'tcp' || p === '6') return 'tcp';
  if (p === 'udp' || p === '17') return 'udp';
  if (p === 'icmp' || p === '1') return 'icmp';
  if (p === 'icmpv6' || p === '58') return null;
  if (/^\d{1,3}$/.test(p) && Number(p) <= 255) return Number(p);
  return undefined;
}

/** An `IpProtocol` / NACL `Protocol` value. */
export const protocol = z.string().refine((s) => protocolName(s) !== undefined, { message: 'expected a protocol: -1, tcp, udp, icmp, icmpv6 or a number 0-255' });

/** Compares strings by code unit, so sorting never depends on the locale. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `body` with its `Name` tag as `label` first, when there is one. */
export function labelled<T extends object>(list: readonly { Key: string; Value: string }[] | undefined, body: T): T & { label?: string } {
  const label = nameTag(list);
  return label !== undefined ? { label, ...body } : body;
}
