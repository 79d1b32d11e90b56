/**
 * fabric/state: what every room of the fabric reads and the facade owns (fabric.ts makes it).
 *
 * Owns: the simulator, settings and trace sink a fabric was made with; the world as configured
 * now and the version every change of rules in force, membership or addresses bumps (a
 * packet, a denial and a fast-forward compare it to know nothing changed); the promise of no
 * more changes (FabricOptions.changesEndNs) as the fast paths read it; the counters; the
 * shared tables (hosts, sockets, conntrack, the flows' book); and writing a trace event.
 * Does not own: any behaviour — each room (see fabric.ts's header) owns its own.
 */
import type { Simulator } from '../core/simulator.ts';
import type { World } from '../model/world.ts';
import type { Settings } from '../model/settings.ts';
import type { ConnTrackTable } from '../conntrack/table.ts';
import type { TraceSink } from './flows.ts';
import type { FlowBook } from './flow-book.ts';
import type { HostTable } from './hosts.ts';
import type { SocketTable } from './sockets.ts';
import type { Socket } from './connection.ts';

export interface FabricStats {
  packets: number;
  delivered: number;
  drops: number;
  /** UDP datagrams delivered that were not echoes, and echoes delivered. */
  udpDelivered: number;
  udpEchoesDelivered: number;
}

export class FabricState {
  /** The world as configured now (rule changes apply here at once). */
  world: World;
  /** Bumped by every change of rules in force, membership or addresses (explanations cache on it). */
  version = 0;
  readonly stats: FabricStats = { packets: 0, delivered: 0, drops: 0, udpDelivered: 0, udpEchoesDelivered: 0 };

  constructor(
    readonly sim: Simulator,
    world: World,
    readonly settings: Settings,
    readonly trace: TraceSink | null,
    readonly hosts: HostTable,
    readonly conntrack: ConnTrackTable,
    /** Client endpoints of every host, by host id and protocol * 65536 + local port (icmp: echo id). */
    readonly sockets: SocketTable<Socket>,
    /** What the flows' records say, written as packets travel (flow-book.ts). */
    readonly book: FlowBook,
    /** FabricOptions.fastPaths. */
    readonly fastPaths: boolean,
    /**
     * FabricOptions.changesEndNs (Infinity: no promise), as the fast paths read it: Infinity
     * without them (fastPaths false). `promisedEndNs` is the promise itself (applyChange).
     */
    readonly changesEndNs: number,
    readonly promisedEndNs: number,
    /** Packets a receiver's rules are scanned for before they are compiled (FabricOptions.compileReceiversAfter). */
    readonly compileReceiversAfter: number,
    /** No packet takes longer than this (the largest latency with the largest jitter), ns. */
    readonly maxLatencyNs: number,
  ) {
    this.world = world;
  }

  emit(ev: string, fields: Record<string, unknown>): void {
    this.trace!({ tNs: this.sim.now, ev, ...fields });
  }
}
