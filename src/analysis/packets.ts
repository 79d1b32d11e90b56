/**
 * analysis/packets: the bytes of a synthetic IPv4 packet (RFC 791) carrying a TCP segment
 * (RFC 9293), a UDP datagram (RFC 768) or an ICMP message (RFC 792), with valid checksums:
 * the IPv4 header's, TCP's and UDP's over their pseudo-header, ICMP's over the message.
 *
 * Owns: header layout and the Internet checksum (RFC 1071). Pure functions of their fields:
 * the same fields give the same bytes (the capture's determinism rests on it).
 * Does not own: which fields a packet of the simulation has (analysis/pcap.ts decides them) or
 * the capture file around it (analysis/pcapng.ts).
 */
import type { Ip } from '../net/ipv4.ts';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** TCP header flag bits (RFC 9293 §3.1). */
export const TH_FIN = 0x01;
export const TH_SYN = 0x02;
export const TH_RST = 0x04;
export const TH_PSH = 0x08;
export const TH_ACK = 0x10;

const IP_HEADER = 20;
const TCP_HEADER = 20;
const UDP_HEADER = 8;
const ICMP_HEADER = 8;
/** Every packet is sent with Don't Fragment and TTL 64, as Linux does; its IP ID is then 0 (RFC 6864 §4.1: an atomic datagram's ID is not used). */
const DONT_FRAGMENT = 0x4000;
const TTL = 64;
/** The window every segment advertises: Linux's initial receive window (no window scaling is offered). */
export const TCP_WINDOW = 64240;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of the
 * 16-bit big-endian words of bytes[start, end) (an odd last byte padded with zero), with
 * `initial` (an unfolded partial sum, such as a pseudo-header's) added in.
 */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The unfolded sum of the TCP/UDP pseudo-header: source, destination, protocol, length. */
function pseudoHeaderSum(src: Ip, dst: Ip, proto: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + length;
}

function writeU16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** An IPv4 packet of `payloadLength` bytes after its 20-byte header, header checksum filled in; the caller writes the payload at offset 20. */
function ipv4(src: Ip, dst: Ip, proto: number, payloadLength: number): Uint8Array {
  const b = new Uint8Array(IP_HEADER + payloadLength);
  b[0] = 0x45; // version 4, header length 5 words
  writeU16(b, 2, b.length);
  writeU16(b, 6, DONT_FRAGMENT);
  b[8] = TTL;
  b[9] = proto;
  writeU32(b, 12, src);
  writeU32(b, 16, dst);
  writeU16(b, 10, internetChecksum(b, 0, IP_HEADER));
  return b;
}

export interface TcpFields {
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack: number;
  /** TH_* bits. */
  readonly flags: number;
  readonly payload?: Uint8Array;
}

export function tcpPacket(src: Ip, dst: Ip, t: TcpFields): Uint8Array {
  const payload = t.payload ?? new Uint8Array(0);
  const length = TCP_HEADER + payload.length;
  const b = ipv4(src, dst, IPPROTO_TCP, length);
  const o = IP_HEADER;
  writeU16(b, o, t.sport);
  writeU16(b, o + 2, t.dport);
  writeU32(b, o + 4, t.seq);
  writeU32(b, o + 8, t.ack);
  b[o + 12] = (TCP_HEADER / 4) << 4;
  b[o + 13] = t.flags;
  writeU16(b, o + 14, TCP_WINDOW);
  b.set(payload, o + TCP_HEADER);
  writeU16(b, o + 16, internetChecksum(b, o, b.length, pseudoHeaderSum(src, dst, IPPROTO_TCP, length)));
  return b;
}

export function udpPacket(src: Ip, dst: Ip, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const length = UDP_HEADER + payload.length;
  const b = ipv4(src, dst, IPPROTO_UDP, length);
  const o = IP_HEADER;
  writeU16(b, o, sport);
  writeU16(b, o + 2, dport);
  writeU16(b, o + 4, length);
  b.set(payload, o + UDP_HEADER);
  // A computed 0 is sent as 0xffff: 0 means "no checksum" in UDP over IPv4 (RFC 768).
  writeU16(b, o + 6, internetChecksum(b, o, b.length, pseudoHeaderSum(src, dst, IPPROTO_UDP, length)) || 0xffff);
  return b;
}

/** An ICMP message: type, code, and the 4 bytes after the checksum (an echo's identifier and sequence number). */
export function icmpPacket(src: Ip, dst: Ip, type: number, code: number, rest: number, payload: Uint8Array): Uint8Array {
  const b = ipv4(src, dst, IPPROTO_ICMP, ICMP_HEADER + payload.length);
  const o = IP_HEADER;
  b[o] = type;
  b[o + 1] = code;
  writeU32(b, o + 4, rest);
  b.set(payload, o + ICMP_HEADER);
  writeU16(b, o + 2, internetChecksum(b, o, b.length));
  return b;
}
