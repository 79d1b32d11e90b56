/**
 * The capture's packet bytes (analysis/packets.ts): the Internet checksum against published
 * values (RFC 1071's worked example, a well-known IPv4 header), every checksum of every kind of
 * packet verifying as a receiver checks it (the sum over the covered bytes, checksum included,
 * is 0xffff), and fields where RFC 791/9293/768/792 put them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IPPROTO_TCP, IPPROTO_UDP, TH_ACK, TH_SYN, icmpPacket, internetChecksum, tcpPacket, udpPacket } from '../../src/analysis/packets.ts';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const u16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u32 = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** What a receiver computes over a transport header and payload with its pseudo-header: 0 when the checksum is right. */
function transportCheck(p: Uint8Array): number {
  const pseudo = new Uint8Array(12);
  pseudo.set(p.subarray(12, 20), 0);
  pseudo[9] = p[9];
  const length = p.length - 20;
  pseudo[10] = length >> 8;
  pseudo[11] = length & 0xff;
  const whole = new Uint8Array(12 + length);
  whole.set(pseudo);
  whole.set(p.subarray(20), 12);
  return internetChecksum(whole);
}

const address = fc.integer({ min: 0, max: 0xffffffff });
const port = fc.integer({ min: 0, max: 0xffff });
const payload = fc.uint8Array({ maxLength: 64 });

describe('the Internet checksum', () => {
  it("gives RFC 1071's worked example: the sum of 0001 f203 f4f5 f6f7 is ddf2, so the checksum is 220d", () => {
    expect(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7))).toBe(0x220d);
  });

  it('pads an odd last byte with zero', () => {
    expect(internetChecksum(Uint8Array.of(0x12, 0x34, 0x56))).toBe(~(0x1234 + 0x5600) & 0xffff);
  });

  it('writes the IPv4 header checksum of a well-known header (192.168.0.1 → 192.168.0.199, udp, 115 bytes, DF, TTL 64): b861', () => {
    const p = udpPacket(ip(192, 168, 0, 1), ip(192, 168, 0, 199), 1, 2, new Uint8Array(115 - 28));
    expect([...p.subarray(0, 20)].map((b) => b.toString(16).padStart(2, '0')).join('')).toBe('45000073000040004011b861c0a80001c0a800c7');
  });
});

describe('packets', () => {
  it('every IPv4, TCP, UDP and ICMP checksum verifies, for any addresses, ports and payload', () => {
    fc.assert(
      fc.property(address, address, port, port, fc.integer({ min: 0, max: 0xffffffff }), payload, (src, dst, sp, dp, seq, data) => {
        const packets = [
          tcpPacket(src, dst, { sport: sp, dport: dp, seq, ack: seq ^ 0x5a5a5a5a, flags: TH_SYN | TH_ACK, payload: data }),
          udpPacket(src, dst, sp, dp, data),
          icmpPacket(src, dst, 8, 0, seq, data),
        ];
        for (const p of packets) {
          expect(internetChecksum(p, 0, 20)).toBe(0);
          expect(u16(p, 2)).toBe(p.length);
        }
        expect(transportCheck(packets[0])).toBe(0);
        expect(transportCheck(packets[1])).toBe(0);
        expect(internetChecksum(packets[2], 20)).toBe(0);
      }),
    );
  });

  it('a changed byte fails the check (the checksum covers the addresses through the pseudo-header)', () => {
    const p = tcpPacket(ip(10, 0, 0, 1), ip(10, 0, 0, 2), { sport: 32768, dport: 443, seq: 1, ack: 0, flags: TH_SYN });
    const q = p.slice();
    q[19] ^= 1; // the destination's last byte: the IPv4 header and the TCP pseudo-header both change
    expect(internetChecksum(q, 0, 20)).not.toBe(0);
    expect(transportCheck(q)).not.toBe(0);
  });

  it('lays out TCP as RFC 9293 does: ports, sequence and acknowledgement numbers, 5-word header, flags, window', () => {
    const p = tcpPacket(ip(10, 0, 0, 1), ip(54, 1, 2, 3), { sport: 32768, dport: 443, seq: 0xdeadbeef, ack: 0x01020304, flags: TH_ACK, payload: Uint8Array.of(7, 8) });
    expect(p[0]).toBe(0x45);
    expect(p[9]).toBe(IPPROTO_TCP);
    expect(p[8]).toBe(64);
    expect(u16(p, 6)).toBe(0x4000);
    expect(u32(p, 12)).toBe(ip(10, 0, 0, 1));
    expect(u32(p, 16)).toBe(ip(54, 1, 2, 3));
    expect([u16(p, 20), u16(p, 22), u32(p, 24), u32(p, 28)]).toEqual([32768, 443, 0xdeadbeef, 0x01020304]);
    expect(p[32]).toBe(0x50);
    expect(p[33]).toBe(TH_ACK);
    expect(u16(p, 34)).toBe(64240);
    expect([...p.subarray(40)]).toEqual([7, 8]);
  });

  it('lays out UDP (length covers header and data) and an ICMP echo (type, code, identifier and sequence)', () => {
    const u = udpPacket(ip(1, 2, 3, 4), ip(5, 6, 7, 8), 53, 32768, new Uint8Array(0));
    expect(u[9]).toBe(IPPROTO_UDP);
    expect([u16(u, 20), u16(u, 22), u16(u, 24)]).toEqual([53, 32768, 8]);
    expect(u16(u, 26)).not.toBe(0); // 0 would mean "no checksum"
    const i = icmpPacket(ip(1, 2, 3, 4), ip(5, 6, 7, 8), 8, 0, (7 << 16) | 1, Uint8Array.of(1, 2, 3));
    expect([i[9], i[20], i[21], u16(i, 24), u16(i, 26), i.length]).toEqual([1, 8, 0, 7, 1, 31]);
  });
});
