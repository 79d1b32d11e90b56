/**
 * The packet capture of a run (analysis/pcap.ts): every packet once as sent, translated packets
 * again as received, drops as comments, TCP sequence numbers kept per connection, simulated time
 * in nanoseconds, the same bytes for the same run. Read back twice: by the tests' own pcapng
 * reader (always), and by tshark, as a Wireshark user would (skipped, saying so, when tshark is
 * not installed; `.ci/run` installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcapOf, runScenario, type RunReport, type ScenarioSpec } from '../../src/index.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { INBOUND, OUTBOUND } from '../../src/analysis/pcapng.ts';
import { TCP_PAYLOAD } from '../../src/analysis/pcap.ts';
import { packets, readBlocks, text, type Packet } from './pcapng-reader.ts';

const root = join(import.meta.dirname, '..', '..');

/** No jitter and fixed addresses: times and addresses below are exact. */
const WORLD = `version: 1
name: pcap world
seed: "1"
settings: { latency: { jitter: 0 } }
regions: { us-east-1: { zones: [us-east-1a, us-east-1b] }, eu-west-1: {} }
groups:
  A: { region: us-east-1, ingress: [ { from: { group: A } }, { protocol: tcp, ports: 443, from: { cidr: 0.0.0.0/0 } }, { protocol: udp, ports: 53, from: { cidr: 0.0.0.0/0 } } ] }
  EMPTY: { region: us-east-1 }
instances:
  a1: { region: us-east-1, zone: us-east-1a, groups: [A], services: [tcp/443, udp/53], privateIp: 10.0.0.10, publicIp: 54.0.0.10 }
  a2: { region: us-east-1, zone: us-east-1b, groups: [A], privateIp: 10.0.0.20, publicIp: 54.0.0.20 }
  closed: { region: us-east-1, groups: [EMPTY], privateIp: 10.0.0.30, publicIp: 54.0.0.30, services: [tcp/443] }
  eu: { region: eu-west-1, privateIp: 10.9.0.1, publicIp: 54.9.0.1 }
external:
  ext: { ip: 192.0.2.1 }
timeline:
  - { at: 0s, id: private, connect: { from: a2, to: a1.private, port: 443 }, expect: { outcome: connected, path: private } }
  - { at: 1s, id: data, transfer: private, expect: delivered }
  - { at: 2s, close: private }
  - { at: 3s, id: public, connect: { from: a2, to: a1.public, port: 443 }, expect: { outcome: connected, path: public, source: a2.public } }
  - { at: 4s, id: blocked, connect: { from: ext, to: closed.public, port: 443 }, expect: { outcome: timeout, code: SG_HAS_NO_RULES } }
  - { at: 5s, id: refused, connect: { from: a2, to: a1.private, port: 9999 }, expect: refused }
  - { at: 6s, id: dns, send: { from: ext, to: a1.public, port: 53, count: 2 }, expect: delivered }
  - { at: 7s, id: ping, ping: { from: a2, to: a1.private }, expect: replied }
  - { at: 8s, id: nowhere, connect: { from: a2, to: 10.0.0.99, port: 443 }, expect: { outcome: timeout, code: NO_ROUTE_TO_DESTINATION } }
  - { at: 9s, id: redirected, connect: { from: eu, to: a1.private, port: 443 }, expect: { outcome: connected, redirected: true } }
`;

function spec(yaml: string, file = 't.yaml'): ScenarioSpec {
  const r = loadScenarioText(yaml, file, 'yaml');
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
  return r.spec;
}

const scenario4 = () => spec(readFileSync(join(root, 'scenarios', '04-group-added-to-itself.yaml'), 'utf8'));

/** Runs the scenarios into one capture (a section each); `fastPaths: false` decides every packet by the fabric's plan of hops. */
function capture(...specs: ScenarioSpec[]): { bytes: Uint8Array; reports: RunReport[] } {
  return captureWith({}, ...specs);
}

function captureWith(options: { fastPaths?: boolean }, ...specs: ScenarioSpec[]): { bytes: Uint8Array; reports: RunReport[] } {
  const reports: RunReport[] = [];
  const bytes = pcapOf((section) => {
    for (const s of specs) reports.push(runScenario(s, { ...options, trace: section({ scenario: s.name, file: 't.yaml', seed: s.seed }) }));
  });
  expect(reports.every((r) => r.passed)).toBe(true);
  return { bytes, reports };
}

const dotted = (b: Uint8Array, at: number) => [...b.subarray(at, at + 4)].join('.');
const u16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u32 = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const FIN = 1;
const SYN = 2;
const RST = 4;
const PSH = 8;
const ACK = 16;

/** A record's packet, decoded by offset (RFC 791/9293/768/792). */
function decode(p: Packet) {
  const d = p.data;
  const proto = d[9];
  const base = { tNs: p.tNs, src: dotted(d, 12), dst: dotted(d, 16), proto, comments: p.comments, inbound: p.flags === INBOUND };
  if (proto === 6) return { ...base, sport: u16(d, 20), dport: u16(d, 22), seq: u32(d, 24), ack: u32(d, 28), flags: d[33], length: d.length - 40 };
  if (proto === 17) return { ...base, sport: u16(d, 20), dport: u16(d, 22), seq: 0, ack: 0, flags: 0, length: d.length - 28 };
  return { ...base, sport: u16(d, 24), dport: d[20], seq: u16(d, 26), ack: 0, flags: 0, length: d.length - 28 };
}

const world = () => capture(spec(WORLD));
const records = (bytes: Uint8Array) => packets(bytes).map(decode);

describe('the capture of a run', () => {
  it('is the same bytes for the same scenario and seed (with latency jitter), and other bytes for another seed', () => {
    const a = capture(scenario4()).bytes;
    const b = capture(scenario4()).bytes;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const other = capture({ ...scenario4(), seed: '5' }).bytes;
    expect(Buffer.from(a).equals(Buffer.from(other))).toBe(false);
  });

  it("is the same bytes when every packet is decided by the fabric's plan of hops (fastPaths: false)", () => {
    const fast = capture(spec(WORLD), scenario4()).bytes;
    const plan = captureWith({ fastPaths: false }, spec(WORLD), scenario4()).bytes;
    expect(Buffer.from(plan).equals(Buffer.from(fast))).toBe(true);
  });

  it('asks the fabric for packet numbers; a trace that does not ask (--trace alone) gets none', () => {
    const plain: Record<string, unknown>[] = [];
    runScenario(spec(WORLD), { trace: (e) => plain.push(e) });
    expect(plain.some((e) => 'pkt' in e)).toBe(false);
    const numbered: Record<string, unknown>[] = [];
    runScenario(spec(WORLD), { trace: Object.assign((e: Record<string, unknown>) => numbered.push(e), { packetIds: true }) });
    const sends = numbered.filter((e) => e.ev === 'send' || (e.ev === 'drop' && e.sport !== undefined));
    expect(sends.map((e) => e.pkt)).toEqual(sends.map((_, i) => i + 1));
    expect(numbered.filter((e) => e.ev === 'deliver').every((e) => typeof e.pkt === 'number')).toBe(true);
  });

  it('opens with a section naming the scenario and seed and one raw-IP interface, then holds only packets', () => {
    const blocks = readBlocks(world().bytes);
    expect(blocks[0].type).toBe(0x0a0d0d0a);
    expect(text(blocks[0].options[0])).toBe('sgsim run of "pcap world" (t.yaml), seed 1; timestamps are simulated time from 0 (shown as 1970-01-01)');
    expect(blocks[1].type).toBe(1);
    expect(blocks.slice(2).every((b) => b.type === 6)).toBe(true);
  });

  it('records every packet once as sent (outbound), in time order, and each translated one again as received (inbound)', () => {
    const { bytes, reports } = world();
    const all = records(bytes);
    const sent = all.filter((r) => !r.inbound);
    expect(sent).toHaveLength(reports[0].stats.packets);
    expect(packets(bytes).every((p) => p.flags === INBOUND || p.flags === OUTBOUND)).toBe(true);
    for (let i = 1; i < all.length; i++) expect(all[i].tNs).toBeGreaterThanOrEqual(all[i - 1].tNs);
    for (const r of all.filter((x) => x.inbound)) expect(r.comments.some((c) => /^as \w+ received it \(sent by \w+ at \d+\.\d{9} s\), translated: /.test(c))).toBe(true);
  });

  it('a private connect, transfer and close: SYN, SYN-ACK, ACK, data, its ACK, FIN, FIN-ACK, ACK with consistent sequence numbers', () => {
    const tcp = records(world().bytes).filter((r) => r.proto === 6 && r.tNs < 3e9);
    expect(tcp.map((r) => [r.tNs, r.src, r.sport, r.dst, r.dport, r.flags, r.length])).toEqual([
      [0, '10.0.0.20', 32768, '10.0.0.10', 443, SYN, 0],
      [500_000, '10.0.0.10', 443, '10.0.0.20', 32768, SYN | ACK, 0],
      [1_000_000, '10.0.0.20', 32768, '10.0.0.10', 443, ACK, 0],
      [1e9, '10.0.0.20', 32768, '10.0.0.10', 443, PSH | ACK, TCP_PAYLOAD.length],
      [1e9 + 500_000, '10.0.0.10', 443, '10.0.0.20', 32768, ACK, 0],
      [2e9, '10.0.0.20', 32768, '10.0.0.10', 443, FIN | ACK, 0],
      [2e9 + 500_000, '10.0.0.10', 443, '10.0.0.20', 32768, FIN | ACK, 0],
      [2e9 + 1_000_000, '10.0.0.20', 32768, '10.0.0.10', 443, ACK, 0],
    ]);
    const c = tcp[0].seq;
    const s = tcp[1].seq;
    const n = TCP_PAYLOAD.length;
    const plus = (x: number, k: number) => (x + k) >>> 0;
    expect(tcp.map((r) => [r.seq, r.ack])).toEqual([
      [c, 0],
      [s, plus(c, 1)],
      [plus(c, 1), plus(s, 1)],
      [plus(c, 1), plus(s, 1)],
      [plus(s, 1), plus(c, 1 + n)],
      [plus(c, 1 + n), plus(s, 1)],
      [plus(s, 1), plus(c, 2 + n)],
      [plus(c, 2 + n), plus(s, 2)],
    ]);
    expect(c).not.toBe(s);
  });

  it("a connect on the public path: the sender's view and the receiver's (the sender's public address), the same segment in both", () => {
    const tcp = records(world().bytes).filter((r) => r.proto === 6 && r.tNs >= 3e9 && r.tNs < 4e9);
    expect(tcp.map((r) => [r.inbound, r.src, r.dst, r.flags])).toEqual([
      [false, '10.0.0.20', '54.0.0.10', SYN],
      [true, '54.0.0.20', '10.0.0.10', SYN],
      [false, '10.0.0.10', '54.0.0.20', SYN | ACK],
      [true, '54.0.0.10', '10.0.0.20', SYN | ACK],
      [false, '10.0.0.20', '54.0.0.10', ACK],
      [true, '54.0.0.20', '10.0.0.10', ACK],
    ]);
    for (let i = 0; i < 6; i += 2) expect([tcp[i + 1].seq, tcp[i + 1].ack, tcp[i + 1].sport, tcp[i + 1].dport]).toEqual([tcp[i].seq, tcp[i].ack, tcp[i].sport, tcp[i].dport]);
    expect(tcp[1].comments).toEqual(['as a1 received it (sent by a2 at 3.000000000 s), translated: source 10.0.0.20 → 54.0.0.20, destination 54.0.0.10 → 10.0.0.10']);
  });

  it('a blocked connect: 7 SYNs, byte-identical but for their time, sent at 0, 1, 3, 7, 15, 31, 63 s, each dropped where it arrived', () => {
    const all = packets(world().bytes);
    const sent = all.filter((p) => p.flags === OUTBOUND && dotted(p.data, 16) === '54.0.0.30');
    expect(sent.map((p) => p.tNs - 4e9)).toEqual([0, 1, 3, 7, 15, 31, 63].map((s) => s * 1e9));
    for (const p of sent) expect(Buffer.from(p.data).equals(Buffer.from(sent[0].data))).toBe(true);
    const received = all.filter((p) => p.flags === INBOUND && dotted(p.data, 16) === '10.0.0.30');
    expect(received.map((p) => p.tNs - 4e9)).toEqual([0, 1, 3, 7, 15, 31, 63].map((s) => s * 1e9 + 20e6));
    for (const p of received) expect(p.comments[0]).toBe(`dropped: SG_HAS_NO_RULES (at closed, ${(p.tNs / 1e9).toFixed(9)} s)`);
  });

  it('a drop is one comment on the record where it happened: as many as the run dropped, a packet with no route at its sender', () => {
    const { bytes, reports } = world();
    const all = records(bytes);
    expect(all.flatMap((r) => r.comments.filter((c) => c.startsWith('dropped: ')))).toHaveLength(reports[0].stats.drops);
    const nowhere = all.filter((r) => r.dst === '10.0.0.99');
    expect(nowhere).toHaveLength(7);
    expect(nowhere[0]).toMatchObject({ inbound: false, src: '10.0.0.20', flags: SYN, comments: ['dropped: NO_ROUTE_TO_DESTINATION (at a2, 8.000000000 s)'] });
  });

  it('a refused connect: the RST answers a SYN as RFC 9293 says (RST|ACK, seq 0, ack the SYN\'s seq + 1)', () => {
    const r = records(world().bytes).filter((x) => x.proto === 6 && (x.dport === 9999 || x.sport === 9999));
    expect(r.map((x) => x.flags)).toEqual([SYN, RST | ACK]);
    expect([r[1].seq, r[1].ack]).toEqual([0, (r[0].seq + 1) >>> 0]);
  });

  it('UDP datagrams and their echoes, and an ICMP echo and its reply (same identifier and sequence)', () => {
    const all = records(world().bytes);
    const udp = all.filter((r) => r.proto === 17 && !r.inbound);
    expect(udp.map((r) => [r.src, r.sport, r.dst, r.dport])).toEqual([
      ['192.0.2.1', 32769, '54.0.0.10', 53],
      ['192.0.2.1', 32769, '54.0.0.10', 53],
      ['10.0.0.10', 53, '192.0.2.1', 32769],
      ['10.0.0.10', 53, '192.0.2.1', 32769],
    ]);
    const icmp = all.filter((r) => r.proto === 1);
    expect(icmp.map((r) => [r.dport, r.sport, r.seq, r.src, r.length])).toEqual([
      [8, 1, 1, '10.0.0.20', 32],
      [0, 1, 1, '10.0.0.10', 32],
    ]);
    expect(udp.every((r) => r.length === 0)).toBe(true);
  });

  it('several scenarios: a section each (its header, its interface, its packets), each readable alone', () => {
    const one = capture(spec(WORLD)).bytes;
    const two = capture(scenario4()).bytes;
    const both = capture(spec(WORLD), scenario4()).bytes;
    expect(Buffer.from(both).equals(Buffer.concat([one, two]))).toBe(true);
    const types = readBlocks(both).map((b) => b.type);
    expect(types.filter((t) => t === 0x0a0d0d0a)).toHaveLength(2);
    expect(types[types.lastIndexOf(0x0a0d0d0a) + 1]).toBe(1);
  });
});

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasTshark) console.warn('test/analysis/pcap.test.ts: tshark is not installed, so the capture is not read back by tshark (apt-get install tshark; .ci/run installs it)');

/** tshark's fields of every frame, with every checksum checked; several values of a field joined by |. */
function tshark(bytes: Uint8Array, ...fields: string[]): string[][] {
  const file = join(mkdtempSync(join(tmpdir(), 'sgsim-pcap-')), 'run.pcapng');
  writeFileSync(file, bytes);
  const args = ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-E', 'separator=\t', '-E', 'aggregator=|'];
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

describe.skipIf(!hasTshark)('the capture read back by tshark', () => {
  it('the handshake of a connected flow: SYN, SYN-ACK, ACK with matching ports and seq/ack', () => {
    const rows = tshark(capture(scenario4()).bytes, 'ip.src', 'ip.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.seq_raw', 'tcp.ack_raw');
    // member-tcp: web2 → web1.private:8080, the first three frames.
    const [syn, synAck, ack] = rows.slice(0, 3);
    expect([syn[2], syn[3], syn[4]]).toEqual(['32768', '8080', '0x0002']);
    expect([synAck[0], synAck[1], synAck[2], synAck[3], synAck[4]]).toEqual([syn[1], syn[0], '8080', '32768', '0x0012']);
    expect(Number(synAck[6])).toBe((Number(syn[5]) + 1) >>> 0);
    expect([ack[2], ack[3], ack[4]]).toEqual(['32768', '8080', '0x0010']);
    expect([Number(ack[5]), Number(ack[6])]).toEqual([(Number(syn[5]) + 1) >>> 0, (Number(synAck[5]) + 1) >>> 0]);
  });

  it("the retransmitted SYNs of a blocked connect: 7, at 1 s doubling, marked as retransmissions, dropped with the denial's code", () => {
    const rows = tshark(capture(scenario4()).bytes, 'frame.time_epoch', 'ip.src', 'ip.dst', 'tcp.dstport', 'tcp.analysis.retransmission', 'frame.comment');
    // stranger → db1.public:3306 from 6 s, as sent (the stranger's view) and as received (db1's).
    const sent = rows.filter((r) => r[1] === '5.6.7.8' && r[2] === '54.28.120.81' && r[3] === '3306');
    expect(sent.map((r) => Number(r[0]) - 6)).toEqual([0, 1, 3, 7, 15, 31, 63]);
    expect(sent.map((r) => r[4] !== '')).toEqual([false, true, true, true, true, true, true]);
    const received = rows.filter((r) => r[1] === '5.6.7.8' && r[2] !== '54.28.120.81' && r[3] === '3306');
    expect(received).toHaveLength(7);
    for (const r of received) expect(r[5]).toMatch(/^dropped: ENI_SG_RULES_MISMATCH \(at db1, [\d.]+ s\)\|as db1 received it \(sent by stranger at [\d.]+ s\)/);
  });

  it("the NAT'd addresses: on the public path the receiver sees the sender's public address, the sender its own", () => {
    const { bytes, reports } = capture(scenario4());
    const flow = reports[0].flows.find((f) => f.id === 'member-over-public-ip')!; // web2 → web1.public:3306
    const web2 = reports[0].flows.find((f) => f.id === 'member-tcp')!.source!; // web2's private address
    const rows = tshark(bytes, 'ip.src', 'ip.dst', 'tcp.dstport', 'frame.packet_flags_direction', 'frame.comment');
    const received = rows.filter((r) => r[3] === '0x00000001' && r[4].startsWith('dropped: SG_REFERENCES_NOT_PRESERVED'));
    expect(received).toHaveLength(7);
    for (const r of received) expect([r[0], r[1], r[2]]).toEqual([flow.source, flow.destination, '3306']);
    const sent = rows.filter((r) => r[3] === '0x00000002' && r[1] === flow.to && r[2] === '3306' && r[0] !== '1.2.3.4');
    expect(sent).toHaveLength(7);
    for (const r of sent) expect(r[0]).toBe(web2);
    expect(flow.source).not.toBe(web2);
  });

  it('no checksum errors and no malformed packets, in every scenario of scenarios/', () => {
    const specs = ['01-same-group-private-cidr.yaml', '02-different-groups-public-ips.yaml', '03-from-outside-the-region.yaml', '04-group-added-to-itself.yaml', '08-revoke-keeps-tracked-connection.yaml', '09-restart-changes-addresses.yaml'].map((f) =>
      spec(readFileSync(join(root, 'scenarios', f), 'utf8')),
    );
    const rows = tshark(capture(...specs, spec(WORLD)).bytes, 'ip.checksum.status', 'tcp.checksum.status', 'udp.checksum.status', 'icmp.checksum.status', '_ws.expert.group', '_ws.malformed');
    expect(rows.length).toBeGreaterThan(200);
    for (const r of rows) {
      expect(r[0]).toBe('1'); // 1: Good
      expect([r[1], r[2], r[3]].filter((s) => s !== '')).toEqual(['1']);
      expect(r[4].split('|')).not.toContain('0x01000000'); // PI_CHECKSUM
      expect(r[4].split('|')).not.toContain('0x07000000'); // PI_MALFORMED
      expect(r[5]).toBe('');
    }
  });

  it('drop comments are visible as frame comments (pkt_comment), one per drop', () => {
    const { bytes, reports } = capture(spec(WORLD));
    const rows = tshark(bytes, 'frame.comment');
    const drops = rows.flatMap((r) => r[0].split('|').filter((c) => c.startsWith('dropped: ')));
    expect(drops).toHaveLength(reports[0].stats.drops);
    expect(new Set(drops.map((c) => c.split(' ')[1]))).toEqual(new Set(['SG_HAS_NO_RULES', 'NO_ROUTE_TO_DESTINATION']));
  });
});
