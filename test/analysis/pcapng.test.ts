/**
 * The capture file's blocks (analysis/pcapng.ts), read back by an independent reader
 * (pcapng-reader.ts): the Section Header Block's magic, version and unknown section length,
 * the interface's link type, snap length and nanosecond resolution, packets with their 64-bit
 * timestamps, direction and comments, every block and option padded to 32 bits.
 */
import { describe, expect, it } from 'vitest';
import { INBOUND, LINKTYPE_RAW, OUTBOUND, enhancedPacket, interfaceDescription, sectionHeader } from '../../src/analysis/pcapng.ts';
import { packets, readBlocks, text } from './pcapng-reader.ts';

const le32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

describe('pcapng blocks', () => {
  it('a section header: block type 0a0d0d0a, byte-order magic 1a2b3c4d, version 1.0, section length -1, comments and the application', () => {
    const b = sectionHeader('sgsim', ['a comment']);
    expect([...b.subarray(0, 4)]).toEqual([0x0a, 0x0d, 0x0d, 0x0a]);
    const [shb] = readBlocks(b);
    const v = new DataView(shb.body.buffer);
    expect(v.getUint32(0, true)).toBe(0x1a2b3c4d);
    expect([v.getUint16(4, true), v.getUint16(6, true)]).toEqual([1, 0]);
    expect(v.getBigInt64(8, true)).toBe(-1n);
    expect(shb.options.map((o) => [o.code, text(o)])).toEqual([
      [1, 'a comment'],
      [4, 'sgsim'],
    ]);
  });

  it('an interface: raw IP, its snap length, name, description and if_tsresol 9 (nanoseconds)', () => {
    const [idb] = readBlocks(interfaceDescription(LINKTYPE_RAW, 65535, 'sgsim', 'the network'));
    expect(idb.type).toBe(1);
    const v = new DataView(idb.body.buffer);
    expect([v.getUint16(0, true), v.getUint16(2, true), v.getUint32(4, true)]).toEqual([101, 0, 65535]);
    expect(idb.options.map((o) => [o.code, [...o.value]])).toEqual([
      [2, [...new TextEncoder().encode('sgsim')]],
      [3, [...new TextEncoder().encode('the network')]],
      [9, [9]],
    ]);
  });

  it('a packet: a 64-bit timestamp split high/low, captured = original length, data padded to 32 bits, comments then epb_flags', () => {
    const data = Uint8Array.of(1, 2, 3, 4, 5);
    const tNs = 131e9 + 7; // past 2^32 ns
    const b = enhancedPacket(0, tNs, data, INBOUND, ['dropped: SG_HAS_NO_RULES', 'é']);
    expect(b.length % 4).toBe(0);
    expect(le32(b, 12)).toBe(Math.floor(tNs / 2 ** 32));
    expect(le32(b, 16)).toBe(tNs % 2 ** 32);
    expect([le32(b, 20), le32(b, 24)]).toEqual([5, 5]);
    const [p] = packets(b);
    expect(p).toEqual({ interfaceId: 0, tNs, data, comments: ['dropped: SG_HAS_NO_RULES', 'é'], flags: INBOUND });
    expect(packets(enhancedPacket(0, 0, data, OUTBOUND, []))[0]).toMatchObject({ comments: [], flags: OUTBOUND });
  });

  it('a packet with neither comments nor direction has no options at all', () => {
    const b = enhancedPacket(0, 1, Uint8Array.of(9), 0, []);
    expect(b.length).toBe(28 + 4 + 4); // header, fixed fields, one byte padded to 4, trailing length
    expect(readBlocks(b)[0].options).toEqual([]);
  });

  it('refuses a timestamp that is not a whole, non-negative number of nanoseconds', () => {
    expect(() => enhancedPacket(0, -1, new Uint8Array(0), 0, [])).toThrow(RangeError);
    expect(() => enhancedPacket(0, 0.5, new Uint8Array(0), 0, [])).toThrow(RangeError);
  });
});
