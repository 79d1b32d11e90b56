/**
 * bench/w6-questions: W6, "questions at scale" (benchmarks.md): `exposure` of the W3 world.
 *
 *   node --import tsx bench/w6-questions.ts [--instances 1000000] [--groups 10000] [--rules 100000]
 *        [--regions 3] [--checked 10000] [--seed S] [--quick]
 *
 * Owns: the W6 run — the W3 world generated in memory (src/scenario/generate.ts
 * generateWorldInput, as bench/w3-scale.ts builds it) plus a few hosts outside AWS to send
 * from (addresses in the generator's internet CIDRs: everywhere, the office /24, some partner
 * networks); the question timed (`loop_s`: the ClassicSnapshot over the World, then every
 * finding of analysis/questions/exposure.ts); then a check of a sample of its answers against
 * the simulator: `checked` random (instance, port, outside sender) triples, each answered from
 * the findings (a finding of the instance on tcp covering the port with a source CIDR holding
 * the sender) and by a simulated connect from that sender to the instance's public address
 * (Fabric, connected or refused = reached). `agree` counts equal answers; they must all be.
 * Does not own: the questions (src/analysis/questions/), the generator, the fabric.
 */
import { parseArgs } from 'node:util';
import { Simulator, type Handler } from '../src/core/simulator.ts';
import { createWorld } from '../src/model/world.ts';
import { Fabric } from '../src/fabric/fabric.ts';
import { newFlow, type FlowRecord } from '../src/fabric/flows.ts';
import { generateWorldInput, OFFICE_CIDR } from '../src/scenario/generate.ts';
import { DEFAULT_SETTINGS, NS_PER_US } from '../src/scenario/spec.ts';
import { cidrContains, parseCidr, type Cidr, type Ip } from '../src/net/ipv4.ts';
import { ClassicSnapshot, exposure, freeInternetAddressIn, type Finding } from '../src/analysis/questions/index.ts';
import { emitResult, peakRssMb, positiveInt, round, secondsSince } from './common.ts';

const PROBE_PORTS = [22, 80, 443, 3306, 5432, 8080, 3389, 6379];

function main(): void {
  const { values } = parseArgs({
    options: {
      instances: { type: 'string' },
      groups: { type: 'string' },
      rules: { type: 'string' },
      regions: { type: 'string' },
      checked: { type: 'string' },
      seed: { type: 'string' },
      quick: { type: 'boolean', default: false },
    },
  });
  const quick = values.quick ?? false;
  const instances = positiveInt(values.instances, '--instances', quick ? 20_000 : 1_000_000);
  const groups = positiveInt(values.groups, '--groups', quick ? 200 : 10_000);
  const rules = positiveInt(values.rules, '--rules', quick ? 2_000 : 100_000);
  const regions = positiveInt(values.regions, '--regions', 3);
  const checked = positiveInt(values.checked, '--checked', quick ? 1_000 : 10_000);
  const seed = values.seed ?? '1';

  // -- the W3 world, with senders outside AWS (untimed) -----------------------------------------
  const buildStart = process.hrtime.bigint();
  const input = generateWorldInput({ instances, groups, rulesPerGroup: Math.max(0, Math.round(rules / groups)), regions, seed });
  const internetCidrs: Cidr[] = [{ base: 0, prefix: 0 }, OFFICE_CIDR];
  for (const g of input.groups) {
    for (const r of g.ingress) {
      if (internetCidrs.length >= 40) break;
      if (r.source.kind !== 'cidr') continue;
      const cidr = r.source.cidr;
      if (cidr.prefix > 0 && cidr.base >>> 24 !== 10 && !internetCidrs.some((c) => c.base === cidr.base && c.prefix === cidr.prefix)) internetCidrs.push(cidr);
    }
  }
  const held = new Set<Ip>();
  for (const i of input.instances) for (const a of [i.privateIp, i.publicIp, i.elasticIp]) if (a !== undefined) held.add(a);
  const senders: Ip[] = [];
  for (const c of internetCidrs) {
    const a = freeInternetAddressIn(c, (ip) => held.has(ip) || senders.includes(ip));
    if (a !== null) senders.push(a);
  }
  const world = createWorld({ ...input, external: senders.map((ip, k) => ({ name: `outside${k}`, ip, services: [] })) });
  const buildS = secondsSince(buildStart);

  // -- the question (timed) ---------------------------------------------------------------------
  const loopStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const snapStart = process.hrtime.bigint();
  const snap = new ClassicSnapshot(world);
  const snapshotS = secondsSince(snapStart);
  const result = exposure(world, snap);
  const loopS = secondsSince(loopStart);
  const cpu = process.cpuUsage(cpuStart);

  // -- the check against the simulator (untimed) --------------------------------------------------
  const byInstance = new Map<string, Finding[]>();
  for (const f of result.findings) {
    if (f.id !== 'INTERNET_EXPOSED_PORT') continue;
    let list = byInstance.get(f.resource);
    if (!list) byInstance.set(f.resource, (list = []));
    list.push(f);
  }
  const sourceCidrs = new Map<string, Cidr>();
  const cidrOf = (text: string): Cidr => {
    let c = sourceCidrs.get(text);
    if (!c) sourceCidrs.set(text, (c = parseCidr(text) as Cidr));
    return c;
  };
  const staticAnswer = (name: string, port: number, from: Ip): boolean =>
    (byInstance.get(name) ?? []).some((f) => {
      if (f.protocol !== 'tcp' || f.ports === null) return false;
      const [lo, hi] = f.ports.split('-').map(Number);
      return lo <= port && port <= (hi ?? lo) && f.sources.some((s) => cidrContains(cidrOf(s), from));
    });

  const checkStart = process.hrtime.bigint();
  const sim = new Simulator({ seed });
  const fabric = new Fabric(sim, world, { ...DEFAULT_SETTINGS, tcp: { ...DEFAULT_SETTINGS.tcp, synRetries: 1 } }, null, { changesEndNs: -1 });
  const rng = sim.random('w6/sample');
  const targets: number[] = [];
  for (const h of fabric.hosts) if (!h.external && h.running && h.publicIp !== 0) targets.push(h.id);
  const outside = senders.map((_, k) => fabric.hostId(`outside${k}`)!);
  const flows: FlowRecord[] = [];
  const expected: boolean[] = [];
  const send: Handler = (k) => {
    if (k + 1 < checked) sim.at((k + 1) * NS_PER_US, send, k + 1);
    const t = fabric.hosts[targets[Math.floor(rng.next() * targets.length)]];
    const s = Math.floor(rng.next() * outside.length);
    const port = PROBE_PORTS[Math.floor(rng.next() * PROBE_PORTS.length)];
    const flow = newFlow(k, 'connect', 'tcp', `outside${s}`, sim.now);
    flows.push(flow);
    expected.push(staticAnswer(t.name, port, senders[s]));
    fabric.connectDetached(flow, outside[s], t.publicIp, port);
  };
  if (checked > 0 && targets.length > 0) sim.at(0, send, 0);
  sim.run();
  let agree = 0;
  let reachedSim = 0;
  const disagreements: string[] = [];
  flows.forEach((f, k) => {
    const reached = f.outcome === 'connected' || f.outcome === 'refused';
    if (reached) reachedSim++;
    if (reached === expected[k]) agree++;
    else if (disagreements.length < 5) disagreements.push(`${f.from} -> port ${f.port}: simulated ${f.outcome}, exposure says ${expected[k] ? 'reached' : 'not reached'}`);
  });
  const checkS = secondsSince(checkStart);

  emitResult(
    {
      workload: 'W6',
      impl: 'sgsim',
      question: 'exposure',
      world: 'W3',
      variant: `instances=${instances}`,
      instances,
      groups: input.groups.length,
      rules: input.groups.reduce((n, g) => n + g.ingress.length, 0),
      build_s: round(buildS, 3),
      snapshot_s: round(snapshotS, 3),
      loop_s: round(loopS, 3),
      // CPU seconds of the question (user + system): on a shared, loaded machine wall time overstates it.
      loop_cpu_s: round((cpu.user + cpu.system) / 1e6, 3),
      findings: result.findings.length,
      high: result.summary.high,
      medium: result.summary.medium,
      low: result.summary.low,
      traces: result.traces,
      checked: flows.length,
      agree,
      reached_in_sample: reachedSim,
      check_s: round(checkS, 3),
      ...(disagreements.length ? { disagreements } : {}),
      peak_rss_mb: peakRssMb(),
      node: process.version,
    },
    agree === flows.length ? undefined : `${flows.length - agree} of ${flows.length} sampled answers differ from the simulator`,
  );
}

main();
