/**
 * analysis/pcapng: the blocks of a pcapng capture file (draft-ietf-opsawg-pcapng): the Section
 * Header Block, the Interface Description Block and the Enhanced Packet Block, with their
 * options (comments, names, the timestamp resolution, packet direction).
 *
 * Owns: byte layout (little-endian, as the byte-order magic says), block lengths repeated at
 * both ends, options as code/length/value padded to 32 bits and closed by opt_endofopt. Pure:
 * the same arguments give the same bytes.
 * Does not own: what the packets are (analysis/packets.ts) or which are written (analysis/pcap.ts).
 */

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const EPB_FLAGS = 2;

/** LINKTYPE_RAW: each packet starts with its IPv4 (or IPv6) header, no link layer. */
export const LINKTYPE_RAW = 101;
/** epb_flags' direction bits. */
export const INBOUND = 1;
export const OUTBOUND = 2;

const utf8 = new TextEncoder();

interface Option {
  readonly code: number;
  readonly value: Uint8Array;
}

const text = (code: number, s: string): Option => ({ code, value: utf8.encode(s) });

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

const padded = (n: number): number => (n + 3) & ~3;

/** A block: type, total length, body, options (if any, then opt_endofopt), total length again. */
function block(type: number, body: Uint8Array, options: readonly Option[]): Uint8Array {
  let length = 12 + padded(body.length);
  if (options.length > 0) {
    for (const o of options) length += 4 + padded(o.value.length);
    length += 4;
  }
  const b = new Uint8Array(length);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, length, true);
  b.set(body, 8);
  let at = 8 + padded(body.length);
  if (options.length > 0) {
    for (const o of options) {
      if (o.value.length > 0xffff) throw new RangeError(`pcapng option ${o.code} is ${o.value.length} bytes, more than an option holds`);
      v.setUint16(at, o.code, true);
      v.setUint16(at + 2, o.value.length, true);
      b.set(o.value, at + 4);
      at += 4 + padded(o.value.length);
    }
    v.setUint16(at, OPT_ENDOFOPT, true); // and its length 0
    at += 4;
  }
  v.setUint32(at, length, true);
  return b;
}

/** A Section Header Block (version 1.0, section length unspecified), naming the application and carrying comments. */
export function sectionHeader(userAppl: string, comments: readonly string[] = []): Uint8Array {
  const body = new Uint8Array(16);
  const v = new DataView(body.buffer);
  v.setUint32(0, BYTE_ORDER_MAGIC, true);
  v.setUint16(4, 1, true);
  v.setUint16(6, 0, true);
  v.setBigInt64(8, -1n, true);
  return block(SHB, body, [...comments.map((c) => text(OPT_COMMENT, c)), text(SHB_USERAPPL, userAppl)]);
}

/** An Interface Description Block with nanosecond timestamps (if_tsresol 9: 10^-9 s). */
export function interfaceDescription(linkType: number, snapLen: number, name: string, description: string): Uint8Array {
  const body = new Uint8Array(8);
  const v = new DataView(body.buffer);
  v.setUint16(0, linkType, true);
  v.setUint32(4, snapLen, true);
  return block(IDB, body, [text(IF_NAME, name), text(IF_DESCRIPTION, description), { code: IF_TSRESOL, value: Uint8Array.of(9) }]);
}

/**
 * An Enhanced Packet Block: the whole packet captured, at `tNs` nanoseconds (the interface's
 * if_tsresol), with its direction (INBOUND/OUTBOUND, or 0 to leave it out) and comments.
 */
export function enhancedPacket(interfaceId: number, tNs: number, packet: Uint8Array, direction: number, comments: readonly string[]): Uint8Array {
  if (!Number.isSafeInteger(tNs) || tNs < 0) throw new RangeError(`pcapng timestamp ${tNs} is not a whole number of nanoseconds >= 0`);
  const body = new Uint8Array(20 + packet.length);
  const v = new DataView(body.buffer);
  v.setUint32(0, interfaceId, true);
  v.setUint32(4, Math.floor(tNs / 2 ** 32), true);
  v.setUint32(8, tNs % 2 ** 32, true);
  v.setUint32(12, packet.length, true);
  v.setUint32(16, packet.length, true);
  body.set(packet, 20);
  const options = comments.map((c) => text(OPT_COMMENT, c));
  if (direction !== 0) options.push({ code: EPB_FLAGS, value: u32(direction) });
  return block(EPB, body, options);
}
