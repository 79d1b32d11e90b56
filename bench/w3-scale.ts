/**
 * bench/w3-scale: W3, "scale" (bench/README.md): building and holding a large
 * generated EC2-Classic world, then opening many new TCP connections through it.
 *
 *   node --import tsx bench/w3-scale.ts [--instances 1000000] [--flows 1000000] [--groups 10000]
 *        [--rules 100000] [--regions 3] [--syn-retries R] [--quick] [--seed S]
 *
 * Owns: the W3 run — generate the world in memory (src/scenario/generate.ts:
 * generateWorldInput; tiers that reference each other, CIDR rules of varied prefixes, 80/443
 * open to 0.0.0.0/0, 5% of instances with Elastic IPs), build it (createWorld) and the Fabric
 * on it (security-group filtering and connection tracking on), all timed as `build_s` with
 * its parts; heap in use after the build (after a full GC) per instance; then F connects, one
 * every microsecond of simulated time, each from a random instance to a random other one, to
 * its private address (55%: private path in its region, redirected to the public address
 * across regions) or its public address / EIP (45%: public path, NAT), on one of the
 * destination's service ports (70%) or a common port (30%), drawn in setup into typed arrays
 * (with the source's name, which the flow record carries, as a scenario's traffic names it);
 * the simulator runs until idle (timed as `loop_s`); and the outcome counts, which must add up
 * to F, so a faster run that decides differently is caught. `flows_per_s` = connects resolved
 * / loop_s.
 * SYN retries: a connect the groups drop retransmits its SYN (Linux default 6 retries over 127
 * simulated seconds); `--syn-retries` lowers that for a shorter run and the JSON line says
 * which was used (`syn_retries`). Default: the domain's 6.
 * Does not own: the generator, the fabric, or comparing runs (bench/run.ts).
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Simulator, type Handler } from '../src/core/simulator.ts';
import { createWorld } from '../src/model/world.ts';
import { Fabric } from '../src/fabric/fabric.ts';
import { newFlow, type FlowRecord } from '../src/fabric/flows.ts';
import { generateWorldInput } from '../src/scenario/generate.ts';
import { DEFAULT_SETTINGS, NS_PER_US, type Settings } from '../src/scenario/spec.ts';
import { emitResult, peakRssMb, positiveInt, round, secondsSince } from './common.ts';

export interface W3Params {
  instances: number;
  flows: number;
  groups: number;
  rules: number;
  regions: number;
  synRetries: number;
  seed: string;
  fastForward: boolean;
}

const COMMON_PORTS = [22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9100, 11211];
const FLOW_SPACING_NS = 1 * NS_PER_US;

/** A full GC, if this process can ask for one (--expose-gc set at run time). */
function fullGc(): void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (() => void) | undefined;
    gc?.();
  } catch {
    // no GC available: heap figures then include garbage
  }
}

function heapUsed(): number {
  return process.memoryUsage().heapUsed;
}

function sci(n: number): string {
  const e = Math.log10(n);
  return Number.isInteger(e) && e >= 3 ? `1e${e}` : String(n);
}

export function runW3(p: W3Params): Record<string, unknown> {
  fullGc();
  const heapBefore = heapUsed();

  // -- build (timed) --------------------------------------------------------------------------
  const buildStart = process.hrtime.bigint();
  const rulesPerGroup = Math.max(0, Math.round(p.rules / Math.max(1, p.groups)));
  const input = generateWorldInput({
    instances: p.instances,
    groups: p.groups,
    rulesPerGroup,
    regions: p.regions,
    seed: p.seed,
  });
  const genS = secondsSince(buildStart);
  const worldStart = process.hrtime.bigint();
  const world = createWorld(input);
  const worldS = secondsSince(worldStart);
  const settings: Settings = { ...DEFAULT_SETTINGS, tcp: { ...DEFAULT_SETTINGS.tcp, synRetries: p.synRetries } };
  const fabricStart = process.hrtime.bigint();
  const sim = new Simulator({ seed: p.seed });
  // No change is ever applied: the fabric may fast-forward denied connects (Fabric.fastForward;
  // the outcome counts below are the same either way, `--no-fast-forward` shows it).
  const fabric = new Fabric(sim, world, settings, null, p.fastForward ? { changesEndNs: -1 } : {});
  const fabricS = secondsSince(fabricStart);
  const buildS = secondsSince(buildStart);
  const eips = input.instances.reduce((n, i) => n + (i.elasticIp !== undefined ? 1 : 0), 0);
  const ruleCount = input.groups.reduce((n, g) => n + g.ingress.length, 0);
  const groupCount = input.groups.length;
  const buildRss = peakRssMb();

  // The world as held: the fabric and the world snapshot (the generator's input is dropped).
  (input as { instances: unknown }).instances = [];
  fullGc();
  const heapAfter = heapUsed();

  // -- flows (setup, untimed) ----------------------------------------------------------------
  const setupStart = process.hrtime.bigint();
  const hostIds: number[] = [];
  for (const h of fabric.hosts) if (!h.external) hostIds.push(h.id);
  const m = hostIds.length;
  if (m < 2) throw new RangeError('W3 needs at least 2 instances');
  const rng = sim.random('w3/flows');
  const src = new Int32Array(p.flows);
  // The source's name with its id, as a scenario's traffic names it (the flow record's `from`).
  const srcName: string[] = new Array(p.flows);
  const dst = new Float64Array(p.flows);
  const port = new Int32Array(p.flows);
  let privateAddressed = 0;
  for (let k = 0; k < p.flows; k++) {
    const a = Math.floor(rng.next() * m);
    let b = Math.floor(rng.next() * (m - 1));
    if (b >= a) b += 1;
    const s = fabric.hosts[hostIds[a]];
    const t = fabric.hosts[hostIds[b]];
    src[k] = s.id;
    srcName[k] = s.name;
    if (rng.next() < 0.55) {
      dst[k] = t.privateIp;
      privateAddressed++;
    } else dst[k] = t.publicIp;
    if (t.tcpPorts.length > 0 && rng.next() < 0.7) {
      const r = t.tcpPorts[Math.floor(rng.next() * t.tcpPorts.length)];
      port[k] = r.from + Math.floor(rng.next() * (r.to - r.from + 1));
    } else port[k] = COMMON_PORTS[Math.floor(rng.next() * COMMON_PORTS.length)];
  }
  const flows: FlowRecord[] = new Array(p.flows);
  // Each connect schedules the next one (as a traffic source would), so the event queue holds
  // the flows in progress, not every future connect.
  const onConnect: Handler = (k) => {
    if (k + 1 < p.flows) sim.at((k + 1) * FLOW_SPACING_NS, onConnect, k + 1);
    const flow = newFlow(k, 'connect', 'tcp', srcName[k], sim.now);
    flows[k] = flow;
    fabric.connectDetached(flow, src[k], dst[k], port[k]);
  };
  if (p.flows > 0) sim.at(0, onConnect, 0);
  const setupS = secondsSince(setupStart);

  // -- loop (timed) --------------------------------------------------------------------------
  const eventsBefore = sim.eventsRun;
  const loopStart = process.hrtime.bigint();
  sim.run();
  const loopS = secondsSince(loopStart);
  const events = sim.eventsRun - eventsBefore;
  const eventsModel = events + sim.eventsElided;

  let connected = 0;
  let refused = 0;
  let timeout = 0;
  let other = 0;
  let privatePath = 0;
  let redirected = 0;
  const codes: Record<string, number> = {};
  for (const f of flows) {
    if (f.outcome === 'connected') connected++;
    else if (f.outcome === 'refused') refused++;
    else if (f.outcome === 'timeout') timeout++;
    else other++;
    if (f.path === 'private') privatePath++;
    if (f.redirected) redirected++;
    const code = f.explanation?.code ?? 'none';
    codes[code] = (codes[code] ?? 0) + 1;
  }
  const resolved = connected + refused + timeout;

  return {
    workload: 'W3',
    impl: 'sgsim',
    variant: `instances=${sci(p.instances)},flows=${sci(p.flows)}`,
    instances: p.instances,
    regions: p.regions,
    groups: groupCount,
    rules: ruleCount,
    eips,
    flows: p.flows,
    syn_retries: p.synRetries,
    seed: Number.isFinite(Number(p.seed)) ? Number(p.seed) : p.seed,
    gen_s: round(genS, 3),
    world_s: round(worldS, 3),
    fabric_s: round(fabricS, 3),
    build_s: round(buildS, 3),
    build_peak_rss_mb: buildRss,
    heap_used_mb: round((heapAfter - heapBefore) / 2 ** 20, 1),
    bytes_per_instance: Math.round((heapAfter - heapBefore) / p.instances),
    setup_s: round(setupS, 3),
    loop_s: round(loopS, 3),
    fast_forward: p.fastForward,
    events,
    events_per_s: Math.round(events / loopS),
    events_model: eventsModel,
    flows_resolved: resolved,
    flows_per_s: Math.round(resolved / loopS),
    connected,
    refused,
    timeout,
    unresolved: other,
    addressed_private: privateAddressed,
    path_private: privatePath,
    redirected,
    codes,
    packets: fabric.stats.packets,
    drops: fabric.stats.drops,
    sim_end_s: round(sim.now / 1e9, 6),
    peak_rss_mb: peakRssMb(),
    node: process.version,
  };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      instances: { type: 'string' },
      flows: { type: 'string' },
      groups: { type: 'string' },
      rules: { type: 'string' },
      regions: { type: 'string' },
      'syn-retries': { type: 'string' },
      'no-fast-forward': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(
      'usage: node --import tsx bench/w3-scale.ts [--instances 1000000] [--flows 1000000] [--groups 10000] [--rules 100000]\n' +
        '       [--regions 3] [--syn-retries 6] [--no-fast-forward] [--quick] [--seed 1]\n' +
        '  --quick: 10,000 instances and 100,000 flows unless given\n' +
        '  --no-fast-forward: send every SYN retransmission as events (the outcome counts are the same)\n',
    );
    return;
  }
  const quick = values.quick ?? false;
  const retriesRaw = values['syn-retries'];
  const synRetries = retriesRaw === undefined ? DEFAULT_SETTINGS.tcp.synRetries : Number(retriesRaw);
  if (!Number.isInteger(synRetries) || synRetries < 0 || synRetries > 20) {
    process.stderr.write(`--syn-retries must be an integer 0 to 20, got ${JSON.stringify(retriesRaw)}\n`);
    process.exit(2);
  }
  const p: W3Params = {
    instances: positiveInt(values.instances, 'instances', quick ? 10_000 : 1_000_000),
    flows: positiveInt(values.flows, 'flows', quick ? 100_000 : 1_000_000),
    groups: positiveInt(values.groups, 'groups', 10_000),
    rules: positiveInt(values.rules, 'rules', 100_000),
    regions: positiveInt(values.regions, 'regions', 3),
    synRetries,
    seed: values.seed as string,
    fastForward: !values['no-fast-forward'],
  };
  const out = runW3(p);
  const sum = (out.connected as number) + (out.refused as number) + (out.timeout as number);
  emitResult(out, sum === p.flows && out.unresolved === 0 ? undefined : `W3 check failed: ${out.unresolved} of ${p.flows} connects unresolved`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
