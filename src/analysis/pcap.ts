/**
 * analysis/pcap: the packet capture of a run (`sgsim run --pcap out.pcapng`): every packet of
 * the trace as a pcapng record that Wireshark and tshark read.
 *
 * Where the capture is taken (docs/design.md "The packet capture"): each packet is recorded
 * once, as its sender sent it (its own address as source, the address it sent to as
 * destination), at the time it left. A packet whose addresses were translated on the way (NAT
 * on the public path, a redirected private address) is recorded a second time as its receiver
 * saw it, at the time it arrived, commented with who sent it when and what changed: the two
 * sides of a NAT, as a capture on both sides of a NAT device shows them. A drop is a comment
 * `dropped: CODE (at host, time)` on the packet's last record (where it was dropped).
 * Headers are synthetic but valid: IPv4 (DF, TTL 64, ID 0), TCP with sequence numbers kept per
 * connection (a retransmitted SYN is the same segment again; an RST answers as RFC 9293
 * §3.10.7.1 says), UDP and ICMP echo with fixed payloads; every checksum is right.
 * Output is a pure function of the trace (no wall time, no host names of this machine): the
 * same scenario and seed give the same bytes. Records are written as soon as the packet's fate
 * is known (a packet's first record waits for its arrival), so memory holds packets in flight,
 * not the run.
 * Owns: trace events → records. Does not own: TCP's numbers (analysis/tcp-numbers.ts), the
 * bytes of a header (analysis/packets.ts) or of a block (analysis/pcapng.ts), or the trace (fabric/).
 */
import type { TraceEvent, TraceSink } from '../fabric/fabric.ts';
import { formatIp, parseIp, type Ip } from '../net/ipv4.ts';
import { icmpPacket, tcpPacket, udpPacket } from './packets.ts';
import { TcpNumbers, type Segment, type View } from './tcp-numbers.ts';
import { INBOUND, LINKTYPE_RAW, OUTBOUND, enhancedPacket, interfaceDescription, sectionHeader } from './pcapng.ts';

/** The scenario a section of the capture holds. */
export interface PcapSection {
  readonly scenario: string;
  readonly file?: string;
  readonly seed: string;
}

const utf8 = new TextEncoder();
/**
 * What a transfer's one data segment carries, a UDP datagram (nothing: the dissectors of well
 * known ports such as DNS's call any bytes but theirs malformed) and an ICMP echo.
 */
export const TCP_PAYLOAD = utf8.encode('sgsim: a transfer\n');
export const UDP_PAYLOAD = new Uint8Array(0);
export const ICMP_PAYLOAD = utf8.encode('sgsim: an echo, 32 bytes of it.\n');
const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
const SNAPLEN = 65535;
/** Bytes gathered before they are handed to the writer. */
const CHUNK = 1 << 16;

interface PcapRecord {
  readonly tNs: number;
  readonly packet: Uint8Array;
  readonly direction: number;
  readonly comments: string[];
  /** Whether it may be written (a packet's first record waits until the packet's fate is known). */
  ready: boolean;
}

/** A packet sent and not yet arrived. */
interface InFlight {
  readonly record: PcapRecord;
  readonly sender: string;
  readonly src: Ip;
  readonly dst: Ip;
  readonly build: (src: Ip, dst: Ip) => Uint8Array;
  readonly tcp: { readonly view: View; readonly segment: Segment; readonly sport: number; readonly dport: number } | null;
  readonly echo: { readonly id: number; readonly seq: number } | null;
}

/**
 * Writes a pcapng capture: `section()` for each scenario (a Section Header Block and its one
 * interface), its returned sink given the run's trace, `finish()` at the end. Bytes go to
 * `write` in chunks, in order.
 */
export class PcapWriter {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private queue: PcapRecord[] = [];
  private head = 0;
  private inFlight = new Map<number, InFlight>();
  private tcp = new TcpNumbers(TCP_PAYLOAD);
  private echoSeqs = new Map<string, number>();
  private echoesReceived = new Map<string, number>();

  constructor(private readonly write: (bytes: Uint8Array) => void) {}

  /** Starts a section for one scenario's run (ending the one before): the sink its trace goes to. */
  section(s: PcapSection): TraceSink {
    this.settle();
    this.inFlight.clear();
    this.tcp = new TcpNumbers(TCP_PAYLOAD);
    this.echoSeqs.clear();
    this.echoesReceived.clear();
    const comment = `sgsim run of "${s.scenario}"${s.file ? ` (${s.file})` : ''}, seed ${s.seed}; timestamps are simulated time from 0 (shown as 1970-01-01)`;
    this.emit(sectionHeader('sgsim', [comment]));
    this.emit(interfaceDescription(LINKTYPE_RAW, SNAPLEN, 'sgsim', `the simulated network of "${s.scenario}"`));
    const sink = (e: TraceEvent) => this.onEvent(e);
    return Object.assign(sink, { packetIds: true as const });
  }

  /** Writes every record still held and hands over the last bytes. */
  finish(): void {
    this.settle();
    if (this.buffered > 0) this.drain();
  }

  private onEvent(e: TraceEvent): void {
    if (e.ev === 'send') this.onSend(e);
    else if (e.ev === 'deliver' || e.ev === 'drop') {
      const pkt = e.pkt as number;
      const sent = this.inFlight.get(pkt);
      if (sent !== undefined) this.onArrival(e, pkt, sent);
      else if (e.ev === 'drop') {
        // Dropped before it left (no route): its one record, as sent.
        const s = this.onSend(e);
        this.inFlight.delete(pkt);
        s.record.comments.push(dropComment(e));
        s.record.ready = true;
        this.flush();
      }
    }
  }

  private onSend(e: TraceEvent): InFlight {
    const src = ip(e.src);
    const dst = ip(e.dst);
    const host = e.host as string;
    let build: InFlight['build'];
    let tcp: InFlight['tcp'] = null;
    let echo: InFlight['echo'] = null;
    if (e.proto === 'tcp') {
      const sport = e.sport as number;
      const dport = e.dport as number;
      const { view, segment } = this.tcp.send(host, sport, e.dst as string, dport, e.flags as string, e.flow as number | null);
      tcp = { view, segment, sport, dport };
      build = (s, d) => tcpPacket(s, d, { sport, dport, ...segment });
    } else if (e.proto === 'udp') {
      const sport = e.sport as number;
      const dport = e.dport as number;
      build = (s, d) => udpPacket(s, d, sport, dport, UDP_PAYLOAD);
    } else {
      const [type, code] = (e.icmp as string).split(':').map(Number);
      const id = e.id as number;
      let seq = 0;
      if (type === ICMP_ECHO_REQUEST) {
        const key = `${host} ${id}`;
        seq = (this.echoSeqs.get(key) ?? 0) + 1;
        this.echoSeqs.set(key, seq);
        echo = { id, seq };
      } else if (type === ICMP_ECHO_REPLY) seq = this.echoesReceived.get(`${host} ${id}`) ?? 0;
      const rest = type === ICMP_ECHO_REQUEST || type === ICMP_ECHO_REPLY ? ((id & 0xffff) << 16) | seq : 0;
      const payload = type === ICMP_ECHO_REQUEST || type === ICMP_ECHO_REPLY ? ICMP_PAYLOAD : new Uint8Array(0);
      build = (s, d) => icmpPacket(s, d, type, code, rest >>> 0, payload);
    }
    const record = this.record(e.tNs, build(src, dst), OUTBOUND, false);
    const sent: InFlight = { record, sender: host, src, dst, build, tcp, echo };
    this.inFlight.set(e.pkt as number, sent);
    return sent;
  }

  private onArrival(e: TraceEvent, pkt: number, sent: InFlight): void {
    this.inFlight.delete(pkt);
    const host = e.host as string;
    let last = sent.record;
    // A drop for want of a host names no source: the packet reached no one, so it has no receiver's view.
    if (e.src !== undefined) {
      const src = ip(e.src);
      const dst = ip(e.dst);
      if (src !== sent.src || dst !== sent.dst) {
        const changed: string[] = [];
        if (src !== sent.src) changed.push(`source ${formatIp(sent.src)} → ${e.src as string}`);
        if (dst !== sent.dst) changed.push(`destination ${formatIp(sent.dst)} → ${e.dst as string}`);
        last = this.record(e.tNs, sent.build(src, dst), INBOUND, true);
        last.comments.push(`as ${host} received it (sent by ${sent.sender} at ${seconds(sent.record.tNs)} s), translated: ${changed.join(', ')}`);
      }
      if (e.ev === 'deliver') {
        if (sent.tcp !== null) this.tcp.delivered(sent.tcp.view, sent.tcp.segment, sent.tcp.sport, sent.tcp.dport, host, e.src as string);
        if (sent.echo !== null) this.echoesReceived.set(`${host} ${sent.echo.id}`, sent.echo.seq);
      }
    }
    if (e.ev === 'drop') last.comments.unshift(dropComment(e));
    sent.record.ready = true;
    this.flush();
  }

  private record(tNs: number, packet: Uint8Array, direction: number, ready: boolean): PcapRecord {
    const r: PcapRecord = { tNs, packet, direction, comments: [], ready };
    this.queue.push(r);
    return r;
  }

  /** Writes the records at the head of the queue that are ready. */
  private flush(): void {
    const q = this.queue;
    while (this.head < q.length && q[this.head].ready) {
      const r = q[this.head++];
      this.emit(enhancedPacket(0, r.tNs, r.packet, r.direction, r.comments));
    }
    if (this.head === q.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
  }

  /** Writes every record held, ready or not (a packet still in flight when the run ended is said so). */
  private settle(): void {
    for (const sent of this.inFlight.values()) sent.record.comments.push('still in flight when the run ended');
    this.inFlight.clear();
    for (let i = this.head; i < this.queue.length; i++) this.queue[i].ready = true;
    this.flush();
  }

  private emit(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    if (this.buffered >= CHUNK) this.drain();
  }

  private drain(): void {
    const out = new Uint8Array(this.buffered);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.chunks = [];
    this.buffered = 0;
    this.write(out);
  }
}

/** The whole capture of runs as bytes (tests; the CLI streams to its file). */
export function pcapOf(run: (section: (s: PcapSection) => TraceSink) => void): Uint8Array {
  const parts: Uint8Array[] = [];
  const w = new PcapWriter((b) => parts.push(b));
  run((s) => w.section(s));
  w.finish();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function dropComment(e: TraceEvent): string {
  return `dropped: ${e.code as string} (at ${e.host as string}, ${seconds(e.tNs)} s)`;
}

function seconds(tNs: number): string {
  return `${Math.floor(tNs / 1e9)}.${String(tNs % 1e9).padStart(9, '0')}`;
}

function ip(text: unknown): Ip {
  const r = parseIp(text as string);
  if (typeof r !== 'number') throw new Error(`the trace has an address that is not one: ${r.error}`);
  return r;
}

/** Both sinks, in turn; asking for packet numbers if either does (then both get them). */
export function teeTrace(a: TraceSink, b: TraceSink): TraceSink {
  return Object.assign((e: TraceEvent) => {
    a(e);
    b(e);
  }, { packetIds: a.packetIds === true || b.packetIds === true });
}
