/**
 * bench/w1-hold: W1, the "hold model" (pure event-core throughput), as
 * bench/README.md defines it (after the founding benchmarks.md). One process runs one implementation:
 *
 *   node --import tsx bench/w1-hold.ts [--impl sgsim|bare-heap] [--timers H] [--events E] [--seed S] [--prewarm]
 *
 * Owns: the sgsim side of W1 — a Simulator with H timers; each fire's handler counts, stops
 * the run at the E-th fire, or reschedules the same timer (its index is the handler's numeric
 * argument `a`; one handler function for all timers, no closure per event) — and W1's checks
 * (fired == E) and JSON line. The baseline lives in bench/w1-bare-heap.ts.
 * Does not own: comparing implementations (bench/run.ts does, across processes).
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Simulator, type Handler } from '../src/core/simulator.ts';
import { emitResult, peakRssMb, positiveInt, round, secondsSince } from './common.ts';
import { runW1BareHeap } from './w1-bare-heap.ts';
import { W1_STREAM, drawDelayNs, type W1Params, type W1Outcome } from './w1-common.ts';

/** Runs W1 on sgsim's Simulator (default scheduler: BinaryHeapScheduler). */
export function runW1Sgsim(p: W1Params): W1Outcome {
  const setupStart = process.hrtime.bigint();
  // Room for the H timers, as the bare heap allocates H (it never holds more).
  const sim = new Simulator({ seed: p.seed, capacity: p.timers });
  const rng = sim.random(W1_STREAM);
  const events = p.events;
  let fired = 0;
  const fire: Handler = (timer) => {
    fired++;
    if (fired === events) {
      sim.stop();
      return;
    }
    sim.schedule(drawDelayNs(rng), fire, timer);
  };
  for (let i = 0; i < p.timers; i++) sim.schedule(drawDelayNs(rng), fire, i);
  const setupS = secondsSince(setupStart);

  const loopStart = process.hrtime.bigint();
  sim.run();
  const loopS = secondsSince(loopStart);
  return { fired, simEndNs: sim.now, setupS, loopS };
}

const IMPLS = { sgsim: runW1Sgsim, 'bare-heap': runW1BareHeap } as const;
type Impl = keyof typeof IMPLS;

function main(): void {
  const { values } = parseArgs({
    options: {
      impl: { type: 'string', default: 'sgsim' },
      timers: { type: 'string' },
      events: { type: 'string' },
      seed: { type: 'string', default: '1' },
      prewarm: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(
      'usage: node --import tsx bench/w1-hold.ts [--impl sgsim|bare-heap] [--timers 10000] [--events 2000000] [--seed 1] [--prewarm]\n' +
        '  --prewarm  first run the same implementation once on a tiny problem (H=100, E=10000), untimed\n',
    );
    return;
  }
  const impl = values.impl as string;
  if (!(impl in IMPLS)) {
    process.stderr.write(`--impl must be one of ${Object.keys(IMPLS).join(', ')}, got ${JSON.stringify(impl)}\n`);
    process.exit(2);
  }
  const params: W1Params = {
    timers: positiveInt(values.timers, 'timers', 10_000),
    events: positiveInt(values.events, 'events', 2_000_000),
    seed: values.seed as string,
  };

  const run = IMPLS[impl as Impl];
  // --prewarm: a second instance of the same code in this process. V8 specialises a function on
  // its closure's context only while one closure of it exists, so this shows each
  // implementation as a library instantiated more than once per process would run it.
  if (values.prewarm) run({ timers: 100, events: 10_000, seed: params.seed });
  const out = run(params);

  const result = {
    workload: 'W1',
    impl,
    variant: `H=${params.timers}${values.prewarm ? ',prewarm' : ''}`,
    timers: params.timers,
    events: params.events,
    seed: Number.isFinite(Number(params.seed)) ? Number(params.seed) : params.seed,
    fired: out.fired,
    sim_end_ms: round(out.simEndNs / 1e6, 6),
    setup_s: round(out.setupS, 6),
    loop_s: round(out.loopS, 6),
    events_per_s: Math.round(params.events / out.loopS),
    peak_rss_mb: peakRssMb(),
    node: process.version,
  };
  emitResult(result, out.fired === params.events ? undefined : `W1 check failed: fired ${out.fired} != E ${params.events}`);
}

// Run only as a script, so runW1Sgsim can be imported (e.g. for profiling) without side effects.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
