/**
 * The capture's TCP numbers (analysis/tcp-numbers.ts), without a run: a handshake, data and
 * close acknowledge what was sent; a retransmitted SYN is its first; a later connect from the
 * same port is a new connection; an RST answers as RFC 9293 §3.10.7.1 says; the receiver's
 * end is found by the source it saw (a NAT'd public address).
 */
import { describe, expect, it } from 'vitest';
import { TH_ACK, TH_RST, TH_SYN } from '../../src/analysis/packets.ts';
import { TcpNumbers } from '../../src/analysis/tcp-numbers.ts';

const DATA = new Uint8Array(5);

describe('TCP numbers', () => {
  it('a handshake, one data segment and its ACK: each acknowledges what the other sent', () => {
    const t = new TcpNumbers(DATA);
    const syn = t.send('c', 32768, '54.0.0.1', 443, 'SYN', 0);
    t.delivered(syn.view, syn.segment, 32768, 443, 's', '54.0.0.9'); // s saw it come from c's public address
    const synAck = t.send('s', 443, '54.0.0.9', 32768, 'SYN|ACK', 0);
    expect(synAck.view.conn).toBe(syn.view.conn);
    expect(synAck.segment.ack).toBe((syn.segment.seq + 1) >>> 0);
    t.delivered(synAck.view, synAck.segment, 443, 32768, 'c', '54.0.0.1');
    const ack = t.send('c', 32768, '54.0.0.1', 443, 'ACK', null);
    expect([ack.segment.seq, ack.segment.ack]).toEqual([(syn.segment.seq + 1) >>> 0, (synAck.segment.seq + 1) >>> 0]);
    t.delivered(ack.view, ack.segment, 32768, 443, 's', '54.0.0.9');
    const data = t.send('c', 32768, '54.0.0.1', 443, 'DATA|ACK', 1);
    expect(data.segment.payload).toBe(DATA);
    t.delivered(data.view, data.segment, 32768, 443, 's', '54.0.0.9');
    const dataAck = t.send('s', 443, '54.0.0.9', 32768, 'ACK', 1);
    expect(dataAck.segment.ack).toBe((syn.segment.seq + 1 + DATA.length) >>> 0);
  });

  it('a retransmitted SYN is the first again; a later connect from the same port starts a new connection', () => {
    const t = new TcpNumbers(DATA);
    const first = t.send('c', 32768, '10.0.0.1', 22, 'SYN', 3);
    const again = t.send('c', 32768, '10.0.0.1', 22, 'SYN', 3);
    expect(again.segment).toEqual(first.segment);
    expect(again.view.conn).toBe(first.view.conn);
    const later = t.send('c', 32768, '10.0.0.1', 22, 'SYN', 4);
    expect(later.view.conn).not.toBe(first.view.conn);
    expect(later.segment.seq).not.toBe(first.segment.seq);
  });

  it('an RST: to a SYN, RST|ACK with seq 0 and ack SYN + 1; to a SYN-ACK, RST with seq its ack', () => {
    const t = new TcpNumbers(DATA);
    const syn = t.send('c', 32768, '10.0.0.1', 9999, 'SYN', 0);
    t.delivered(syn.view, syn.segment, 32768, 9999, 's', '10.0.0.2');
    const rst = t.send('s', 9999, '10.0.0.2', 32768, 'RST', 0).segment;
    expect(rst).toEqual({ seq: 0, ack: (syn.segment.seq + 1) >>> 0, flags: TH_RST | TH_ACK, payload: undefined });

    const u = new TcpNumbers(DATA);
    const s2 = u.send('c', 32768, '10.0.0.1', 443, 'SYN', 0);
    u.delivered(s2.view, s2.segment, 32768, 443, 's', '10.0.0.2');
    const sa = u.send('s', 443, '10.0.0.2', 32768, 'SYN|ACK', 0);
    expect(sa.segment.flags).toBe(TH_SYN | TH_ACK);
    u.delivered(sa.view, sa.segment, 443, 32768, 'c', '10.0.0.1');
    const late = u.send('c', 32768, '10.0.0.1', 443, 'RST', 0).segment; // the connect gave up
    expect(late).toEqual({ seq: sa.segment.ack, ack: 0, flags: TH_RST, payload: undefined });
  });
});
