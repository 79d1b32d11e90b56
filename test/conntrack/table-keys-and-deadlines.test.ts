/**
 * ConnTrackTable's keys and deadlines at their edges: the protocol and the host are part of a
 * flow's key, an entry is alive exactly at its deadline (and tracking it then continues it),
 * and an entry stored in slot 0 behaves like any other. Written against mutants the other
 * conntrack tests let survive (issue 3, item 6; docs/verification.md).
 */
import { describe, expect, it } from 'vitest';
import { ConnTrackTable, EXPIRED, INBOUND, MISS, OUTBOUND } from '../../src/conntrack/table.ts';
import { F_ACK as ACK, F_SYN as SYN } from '../../src/net/protocol.ts';
import type { ConntrackTimeouts } from '../../src/conntrack/table.ts';
import { ICMP, TCP, UDP } from '../../src/net/protocol.ts';

const S = 1_000_000_000;
const TIMEOUTS: ConntrackTimeouts = { tcpEstablished: 432_000 * S, tcpHandshake: 120 * S, udp: 30 * S, udpStream: 180 * S, icmp: 30 * S };
const REMOTE = 0x0a000001;

/** A key (host, remote port) whose fresh entry lands in slot 0 of a table built like `make()`. */
function keyInSlotZero(make: () => ConnTrackTable, proto: number): { host: number; remotePort: number } {
  for (let host = 0; host < 64; host++) {
    for (let remotePort = 0; remotePort < 65536; remotePort++) {
      const t = make();
      if (t.track(host, proto, REMOTE, 80, remotePort, 0, OUTBOUND) === 0) return { host, remotePort };
      if (remotePort > 4096) break;
    }
  }
  throw new Error('no key hashes to slot 0');
}

describe('the protocol is part of the key', () => {
  it('tcp, udp and icmp entries with the same host, remote and ports are three flows', () => {
    const t = new ConnTrackTable(TIMEOUTS);
    const tcp = t.track(1, TCP, REMOTE, 1000, 2000, 0, OUTBOUND, SYN);
    expect(t.lookup(1, UDP, REMOTE, 1000, 2000, 0)).toBe(MISS);
    expect(t.lookup(1, ICMP, REMOTE, 1000, 2000, 0)).toBe(MISS);
    const udp = t.track(1, UDP, REMOTE, 1000, 2000, 0, OUTBOUND);
    expect(udp).not.toBe(tcp);
    expect(t.size).toBe(2);
    expect(t.lookup(1, TCP, REMOTE, 1000, 2000, 0)).toBe(tcp);
    expect(t.lookup(1, UDP, REMOTE, 1000, 2000, 0)).toBe(udp);
    expect(t.deadlineOf(tcp)).toBe(120 * S);
    expect(t.deadlineOf(udp)).toBe(30 * S);
  });
});

describe('deadlines', () => {
  it('tracking an entry exactly at its deadline continues it (a udp stream), 1 ns later starts it afresh', () => {
    const t = new ConnTrackTable(TIMEOUTS);
    t.track(1, UDP, REMOTE, 1, 2, 0, OUTBOUND);
    const slot = t.track(1, UDP, REMOTE, 1, 2, 1, INBOUND);
    expect(t.deadlineOf(slot)).toBe(1 + 30 * S);
    // Third packet, both directions seen, at the deadline: still the same flow, now a stream.
    expect(t.track(1, UDP, REMOTE, 1, 2, 1 + 30 * S, OUTBOUND)).toBe(slot);
    expect(t.deadlineOf(slot)).toBe(1 + 30 * S + 180 * S);

    const u = new ConnTrackTable(TIMEOUTS);
    u.track(1, UDP, REMOTE, 1, 2, 0, OUTBOUND);
    u.track(1, UDP, REMOTE, 1, 2, 1, INBOUND);
    const again = u.track(1, UDP, REMOTE, 1, 2, 2 + 30 * S, OUTBOUND);
    expect(u.deadlineOf(again)).toBe(2 + 30 * S + 30 * S);
    expect(u.size).toBe(1);
  });
});

describe('an entry in slot 0', () => {
  const make = () => new ConnTrackTable(TIMEOUTS, 8);
  const { host, remotePort } = keyInSlotZero(make, TCP);

  it('is found, continued and revived in place like any other', () => {
    const t = make();
    expect(t.track(host, TCP, REMOTE, 80, remotePort, 0, OUTBOUND, SYN)).toBe(0);
    expect(t.lookup(host, TCP, REMOTE, 80, remotePort, 0)).toBe(0);
    // Both directions: established, not reset to a new handshake.
    expect(t.track(host, TCP, REMOTE, 80, remotePort, 5, INBOUND, SYN | ACK)).toBe(0);
    expect(t.deadlineOf(0)).toBe(5 + 432_000 * S);
    expect(t.size).toBe(1);
    // Expired, then tracked anew: the same slot, one entry, a fresh handshake.
    expect(t.lookup(host, TCP, REMOTE, 80, remotePort, 5 + 432_000 * S + 1)).toBe(EXPIRED);
    expect(t.track(host, TCP, REMOTE, 80, remotePort, 500_000 * S, OUTBOUND, SYN)).toBe(0);
    expect(t.size).toBe(1);
    expect(t.deadlineOf(0)).toBe(500_000 * S + 120 * S);
    t.remove(host, TCP, REMOTE, 80, remotePort);
    expect(t.size).toBe(0);
    expect(t.lookup(host, TCP, REMOTE, 80, remotePort, 500_000 * S)).toBe(MISS);
  });
});

describe('the host is part of the key', () => {
  it('entries of many hosts for the same remote and ports, crowded into one small table, stay apart', () => {
    // 16 slots hold 7 entries before growing: probe chains cross, so a lookup that ignored the
    // host would find another host's entry.
    const t = new ConnTrackTable(TIMEOUTS, 1);
    const slots = new Map<number, number>();
    for (let host = 0; host < 7; host++) slots.set(host, t.track(host, UDP, REMOTE, 5000, 53, 0, OUTBOUND));
    expect(new Set(slots.values()).size).toBe(7);
    for (const [host, slot] of slots) expect(t.lookup(host, UDP, REMOTE, 5000, 53, 0)).toBe(slot);
    for (let host = 7; host < 64; host++) expect(t.lookup(host, UDP, REMOTE, 5000, 53, 0)).toBe(MISS);
  });
});
