/**
 * bench/w2-udp-echo: W2, "UDP echo exchanges" (packet-level network throughput), exactly as
 * bench/README.md defines it (after the founding benchmarks.md), on sgsim's real fabric:
 *
 *   node --import tsx bench/w2-udp-echo.ts [--hosts N] [--packets P] [--quick] [--seed S]
 *
 * Owns: the W2 world — N instances in one region and one zone, all in one security group that
 * admits udp/7 from 10.0.0.0/8 (requests pass by that rule or by connection tracking, echoes by
 * connection tracking), each listening on udp/7 (the fabric's UDP service answers a request by
 * sending the payload back to the source address and port), latency.sameZone = 100 µs with no
 * jitter, otherwise DEFAULT_SETTINGS; a kernel and a connection-tracking table sized for the
 * run (Simulator `capacity`, FabricOptions `expectedFlows`: as W1 gives the kernel room for
 * its H timers, so neither grows mid-run); the N clients' sends as timers of one DelayLine (one
 * handler for all sends, the client's number as argument: no closure per send; only the next
 * send in the event heap), client i starting at
 * floor(i · 10 ms / N) and sending every 10 ms to a uniform other host's private address
 * (d = uniformInt(0..N-2); d >= i ? d + 1 : d) from one ephemeral port; the checks (sent =
 * requests_delivered = replies_delivered = N·P, simulated end = (P−1)·10 ms + t_{N−1} + 200 µs,
 * no drops) and W2's JSON line.
 *
 * Counting: the fabric's own counters, `stats.udpDelivered` (requests that reached a host)
 * and `stats.udpEchoesDelivered` (echoes that came back), checked against N·P.
 * Does not own: the fabric, the kernel, or comparing runs (bench/run.ts).
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Simulator } from '../src/core/simulator.ts';
import { DelayLine } from '../src/core/delayline.ts';
import { createWorld } from '../src/model/world.ts';
import type { InstanceSpec, SecurityGroup } from '../src/model/types.ts';
import { Fabric } from '../src/fabric/fabric.ts';
import { DEFAULT_SETTINGS, NS_PER_MS, NS_PER_US, type Settings } from '../src/scenario/spec.ts';
import { emitResult, peakRssMb, positiveInt, round, secondsSince } from './common.ts';

export interface W2Params {
  hosts: number;
  packets: number;
  seed: string;
}

export interface W2Outcome {
  sent: number;
  requestsDelivered: number;
  repliesDelivered: number;
  packets: number;
  delivered: number;
  drops: number;
  events: number;
  simEndNs: number;
  setupS: number;
  loopS: number;
}

const INTERVAL_NS = 10 * NS_PER_MS;
const ONE_WAY_NS = 100 * NS_PER_US;
const ECHO_PORT = 7;
/** Each client's one UDP socket: the first ephemeral port. */
const CLIENT_PORT = 32768;
const REGION = 'us-east-1';
const ZONE = 'us-east-1a';

export const W2_SETTINGS: Settings = {
  ...DEFAULT_SETTINGS,
  latency: { ...DEFAULT_SETTINGS.latency, sameZone: ONE_WAY_NS, jitter: 0 },
};

/** The client start times: t_i = floor(i · 10 ms / N), integer ns. */
export function startNs(i: number, hosts: number): number {
  return Math.floor((i * INTERVAL_NS) / hosts);
}

export function expectedEndNs(p: W2Params): number {
  return (p.packets - 1) * INTERVAL_NS + startNs(p.hosts - 1, p.hosts) + 2 * ONE_WAY_NS;
}

export function runW2(p: W2Params): W2Outcome {
  const setupStart = process.hrtime.bigint();
  const n = p.hosts;
  if (n < 2) throw new RangeError('W2 needs at least 2 hosts');
  const group: SecurityGroup = {
    key: 'echo',
    name: 'echo',
    region: REGION,
    description: 'W2: udp/7 from the private network',
    ingress: [{ protocol: 'udp', ports: { from: ECHO_PORT, to: ECHO_PORT }, source: { kind: 'cidr', cidr: { base: 0x0a000000, prefix: 8 } } }],
  };
  const groups = [group.key];
  const services = [{ protocol: 'udp', ports: { from: ECHO_PORT, to: ECHO_PORT } }] as const;
  const instances: InstanceSpec[] = [];
  for (let i = 0; i < n; i++) {
    instances.push({ name: `h${i}`, region: REGION, zone: ZONE, groups, services, state: 'running' });
  }
  const world = createWorld({ seed: p.seed, regions: [{ name: REGION, zones: [ZONE] }], groups: [group], instances, external: [] });
  // Room for what is pending at once (the datagrams in flight, and room to spare), as W1 gives
  // the kernel room for its H timers: the kernel then never grows during setup or run.
  const sim = new Simulator({ seed: p.seed, capacity: 4 * n + 1024 });
  // Connection tracking sized for the run's flows (each exchange is a new tuple at both ends:
  // the client's one port to a random server), so the table never rehashes mid-run.
  const fabric = new Fabric(sim, world, W2_SETTINGS, null, { expectedFlows: 2 * n * p.packets });

  // Host ids and private addresses by client index, in flat arrays.
  const id = new Int32Array(n);
  const addr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = fabric.hostId(`h${i}`);
    if (h === undefined) throw new Error(`host h${i} missing from the fabric`);
    id[i] = h;
    addr[i] = fabric.hosts[h].privateIp;
  }
  const rng = sim.random('w2');
  const packets = p.packets;
  let sent = 0;
  // The clients' sends, every 10 ms each, come in time order: they wait in a DelayLine (the
  // kernel's line for timers of one fixed delay, core/delayline.ts), each run exactly where
  // an event scheduled instead would have run, with only the next one in the event heap, so
  // the heap holds the datagrams in flight rather than N pending sends.
  const sends = new Int32Array(n);
  const send = (client: number): void => {
    let d = Math.floor(rng.next() * (n - 1));
    if (d >= client) d += 1;
    fabric.sendDatagram(id[client], CLIENT_PORT, addr[d], ECHO_PORT);
    sent++;
    if (++sends[client] < packets) line.add(sim.now + INTERVAL_NS, client);
  };
  const line = new DelayLine(sim, send);
  for (let i = 0; i < n; i++) line.add(startNs(i, n), i);
  const setupS = secondsSince(setupStart);

  const eventsBefore = sim.eventsRun;
  const loopStart = process.hrtime.bigint();
  sim.run();
  const loopS = secondsSince(loopStart);

  const st = fabric.stats;
  return {
    sent,
    requestsDelivered: st.udpDelivered,
    repliesDelivered: st.udpEchoesDelivered,
    packets: st.packets,
    delivered: st.delivered,
    drops: st.drops,
    events: sim.eventsRun - eventsBefore,
    simEndNs: sim.now,
    setupS,
    loopS,
  };
}

/** What is wrong with a run, or undefined. */
export function checkW2(p: W2Params, o: W2Outcome): string | undefined {
  const want = p.hosts * p.packets;
  const problems: string[] = [];
  if (o.drops !== 0) problems.push(`${o.drops} packets dropped (expected none)`);
  if (o.sent !== want) problems.push(`sent ${o.sent} != N·P ${want}`);
  if (o.requestsDelivered !== want) problems.push(`requests_delivered ${o.requestsDelivered} != N·P ${want}`);
  if (o.repliesDelivered !== want) problems.push(`replies_delivered ${o.repliesDelivered} != N·P ${want}`);
  if (o.delivered !== 2 * want) problems.push(`fabric delivered ${o.delivered} != 2·N·P ${2 * want}`);
  if (o.simEndNs !== expectedEndNs(p)) problems.push(`simulated end ${o.simEndNs} ns != ${expectedEndNs(p)} ns`);
  return problems.length ? `W2 check failed: ${problems.join('; ')}` : undefined;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string' },
      packets: { type: 'string' },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(
      'usage: node --import tsx bench/w2-udp-echo.ts [--hosts 1000] [--packets 100] [--quick] [--seed 1]\n' +
        '  S1: --hosts 1000 --packets 100; S2: --hosts 10000 --packets 10\n' +
        '  --quick: P defaults to 10 (N=1000) / 1 (N=10000)\n',
    );
    return;
  }
  const hosts = positiveInt(values.hosts, 'hosts', 1_000);
  const quick = values.quick ?? false;
  const defaultP = hosts >= 10_000 ? (quick ? 1 : 10) : quick ? 10 : 100;
  const params: W2Params = { hosts, packets: positiveInt(values.packets, 'packets', defaultP), seed: values.seed as string };
  const out = runW2(params);
  const result = {
    workload: 'W2',
    impl: 'sgsim',
    variant: `N=${params.hosts},P=${params.packets}`,
    hosts: params.hosts,
    packets_per_host: params.packets,
    seed: Number.isFinite(Number(params.seed)) ? Number(params.seed) : params.seed,
    sent: out.sent,
    requests_delivered: out.requestsDelivered,
    replies_delivered: out.repliesDelivered,
    events: out.events,
    setup_s: round(out.setupS, 6),
    loop_s: round(out.loopS, 6),
    exchanges_per_s: Math.round(out.repliesDelivered / out.loopS),
    events_per_s: Math.round(out.events / out.loopS),
    sim_end_s: round(out.simEndNs / 1e9, 9),
    drops: out.drops,
    peak_rss_mb: peakRssMb(),
    node: process.version,
  };
  emitResult(result, checkW2(params, out));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
