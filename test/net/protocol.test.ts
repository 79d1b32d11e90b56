/**
 * test/net/protocol: protocol numbers, ICMP match-key ranges (with -1 as "any") and port
 * formatting.
 */
import { describe, expect, it } from 'vitest';
import {
  ALL_PORTS,
  ICMP,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  PROTOCOLS,
  TCP,
  UDP,
  formatIcmp,
  formatPorts,
  icmpKey,
  icmpKeyRange,
  protocolName,
  protocolNumber,
} from '../../src/net/protocol.ts';

describe('protocol numbers', () => {
  it('uses the IANA numbers and maps both ways', () => {
    expect([TCP, UDP, ICMP]).toEqual([6, 17, 1]);
    expect(PROTOCOLS).toEqual(['tcp', 'udp', 'icmp']);
    for (const p of PROTOCOLS) expect(protocolName(protocolNumber(p))).toBe(p);
    expect(protocolNumber('tcp')).toBe(6);
    expect(protocolNumber('udp')).toBe(17);
    expect(protocolNumber('icmp')).toBe(1);
  });

  it('names echo request and reply', () => {
    expect(ICMP_ECHO_REQUEST).toBe(8);
    expect(ICMP_ECHO_REPLY).toBe(0);
  });
});

describe('icmpKeyRange', () => {
  it('type -1 covers the whole key space (whatever the code)', () => {
    expect(icmpKeyRange({ type: -1, code: -1 })).toEqual({ from: 0, to: 65535 });
    expect(icmpKeyRange({ type: -1, code: 3 })).toEqual({ from: 0, to: 65535 });
    expect(icmpKeyRange({ type: -1, code: -1 })).toEqual(ALL_PORTS);
  });

  it('code -1 covers every code of the type', () => {
    expect(icmpKeyRange({ type: 8, code: -1 })).toEqual({ from: 2048, to: 2303 });
    expect(icmpKeyRange({ type: 0, code: -1 })).toEqual({ from: 0, to: 255 });
    expect(icmpKeyRange({ type: 3, code: -1 })).toEqual({ from: 768, to: 1023 });
    expect(icmpKeyRange({ type: 255, code: -1 })).toEqual({ from: 65280, to: 65535 });
  });

  it('type and code give a single key', () => {
    expect(icmpKeyRange({ type: 8, code: 0 })).toEqual({ from: 2048, to: 2048 });
    expect(icmpKeyRange({ type: 3, code: 4 })).toEqual({ from: 772, to: 772 });
    expect(icmpKeyRange({ type: 0, code: 0 })).toEqual({ from: 0, to: 0 });
    expect(icmpKeyRange({ type: 255, code: 255 })).toEqual({ from: 65535, to: 65535 });
  });

  it('icmpKey packs type << 8 | code, inside the matching range', () => {
    expect(icmpKey(8, 0)).toBe(2048);
    expect(icmpKey(3, 4)).toBe(772);
    expect(icmpKey(255, 255)).toBe(65535);
    for (const [t, c] of [
      [0, 0],
      [3, 13],
      [8, 0],
      [11, 1],
      [255, 255],
    ]) {
      const r = icmpKeyRange({ type: t, code: -1 });
      expect(icmpKey(t, c)).toBeGreaterThanOrEqual(r.from);
      expect(icmpKey(t, c)).toBeLessThanOrEqual(r.to);
    }
  });
});

describe('formatting', () => {
  it('formatPorts prints a single port or an inclusive range', () => {
    expect(formatPorts({ from: 22, to: 22 })).toBe('22');
    expect(formatPorts({ from: 0, to: 0 })).toBe('0');
    expect(formatPorts({ from: 8000, to: 8080 })).toBe('8000-8080');
    expect(formatPorts(ALL_PORTS)).toBe('0-65535');
  });

  it('formatIcmp prints type:code with -1 as is', () => {
    expect(formatIcmp({ type: 8, code: 0 })).toBe('8:0');
    expect(formatIcmp({ type: -1, code: -1 })).toBe('-1:-1');
    expect(formatIcmp({ type: 3, code: -1 })).toBe('3:-1');
  });
});
