/**
 * fabric/packets: packets in flight, as rows of a pool (a packet is a number: its index).
 */
import type { FlowRecord } from './flows.ts';
import { grown } from './grown.ts';

/**
 * Packets in flight, pooled: a packet is a number, its fields a row of PacketPool.data (P_* say
 * which int32 holds what), its flow record (if any) in PacketPool.flow. One row per packet, not
 * one array per field: with 10^4-10^5 packets in flight, reading a packet touched 13 arrays at
 * a reused, scattered index, a cache line each; a row is one (16 int32s, 64 bytes).
 */
export class PacketPool {
  data = new Int32Array(1024 * P_STRIDE);
  flow: (FlowRecord | null)[] = [];
  private free: number[] = [];

  alloc(): number {
    if (this.free.length > 0) return this.free.pop()!;
    const i = this.flow.length;
    this.flow.push(null);
    if ((i + 1) * P_STRIDE > this.data.length) this.data = grown(this.data, (i + 1) * P_STRIDE);
    return i;
  }

  release(i: number): void {
    this.flow[i] = null;
    this.free.push(i);
  }
}

/** PacketPool.data: int32s per packet, and what each holds (addresses as int32: read `>>> 0`). */
export const P_STRIDE = 16;
/**
 * Protocol | TCP flags << 8 | private path << 16 | request << 17 (request: the flow's request,
 * a SYN, an echo request, a datagram, rather than an answer).
 */
export const P_KIND = 0;
/** Source and destination as the receiver sees them; the address it travels to (after redirects). */
export const P_SRC = 1;
export const P_DST = 2;
export const P_WIRE_DST = 3;
/** Ports (icmp: the echo id, and type << 16 | code). */
export const P_SPORT = 4;
export const P_DPORT = 5;
export const P_SRC_HOST = 6;
export const P_DST_HOST = 7;
/** The fabric's version when it was sent (Fabric.version). */
export const P_VERSION = 8;
/** Its number in the trace (TraceSink.packetIds), when the trace asks for them. */
export const P_TRACE_ID = 9;
