/**
 * A fuzz of the loader (issue 15, item 8): random documents (trees of the scenario's own keys
 * with random and hostile values, random bytes, random YAML) go through the public API,
 * loadScenarioText / validateScenario, and the valid ones with little traffic through
 * runScenario. Each must end as ok or invalid (diagnostics that name the file and say
 * something), never throw, and within a time bound.
 *
 * SGSIM_FUZZ_RUNS sets the runs per property (default small enough for CI, a few seconds in
 * all); SGSIM_FUZZ_SEED the seed (default: fixed, so a failure replays). Every crash found
 * becomes a regression: a runnable scenario in test/regressions/, an invalid one a pinned case
 * in test/scenario/.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { loadScenarioText, runScenario, validateScenario, type ScenarioSpec, type ValidationResult } from '../../src/index.ts';
import { ACTION_KEYS } from '../../src/scenario/schema.ts';

const RUNS = Number(process.env.SGSIM_FUZZ_RUNS ?? '') || 150;
const SEED = Number(process.env.SGSIM_FUZZ_SEED ?? '') || 15_08;
/** The bound on one document's load (and run, when it runs), generous for a shared CI machine. */
const TIME_BOUND_MS = 3_000;
/** Each test's own limit, for long runs (vitest's default would stop a run of thousands). */
const TEST_TIMEOUT_MS = Math.max(60_000, RUNS * 100);

// ---------------------------------------------------------------------------------------------
// Values: the format's own words and notations, near misses, and hostile ones

const NAMES = ['r1', 'r2', 'A', 'B', 'default', 'web', 'db', 'ext', 'c1', 'c2', 'web\u202e', 'a.b', ''];
const NOTATIONS = [
  '0s', '1s', '1.5s', '250ms', '100us', '2m', '1h', '-1s', '5sec', '1e309', '999999999999h', '0.0000001s',
  'tcp/22', 'udp/53', 'tcp/8000-8010', 'sctp/9', 'tcp/90-80',
  '0.0.0.0/0', '10.0.0.0/8', '1.2.3.4/32', '1.2.3.4/24', '010.0.0.1/8', '203.0.113.5/32', '10.0.0.5', '54.0.0.5', '256.1.1.1', '1.2.3',
  'web.private', 'web.public', 'web.eip', 'web.dns', 'db.private', 'ext', 'web', 'web.priv', '9.9.9.9',
  '22', '8000-8080', '8:-1', '-1:0', 'connected', 'refused', 'timeout', 'delivered', 'dropped', 'replied',
  'running', 'stopped', 'classic', 'vpc', 'tcp', 'udp', 'icmp', 'all', 'TRACKED_CONNECTION', 'ALLOWED_BY_RULE',
];
const NUMBERS = [0, 1, -1, 2, 22, 53, 80, 65535, 65536, 1.5, 1e6, 1e7 + 1, 2 ** 22 + 1, 2 ** 31, 2 ** 53, 1e300, -0];

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NAMES, ...NOTATIONS) },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 70_000 }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.double() },
);

const KEYS = [
  'version', 'name', 'platform', 'seed', 'settings', 'regions', 'groups', 'instances', 'external', 'timeline',
  'zones', 'region', 'description', 'ingress', 'protocol', 'ports', 'icmp', 'from', 'cidr', 'group', 'type', 'code',
  'zone', 'privateIp', 'publicIp', 'elasticIp', 'services', 'state', 'ip', 'at', 'id', 'expect', 'repeat', 'every',
  'count', 'to', 'port', 'rule', 'instance', 'outcome', 'path', 'redirected', 'source', 'latency', 'tcp', 'limits',
  'jitter', 'synRetries', 'initialRto', 'rulesPerGroup', 'groupsPerRegion', 'propagationDelay', 'pingTimeout',
  ...ACTION_KEYS, ...NAMES.slice(0, 10), '<<', 'unknown',
];

/** A random tree of the scenario's keys, with the values above. */
const tree: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(tie('node'), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 5 }) },
  ),
})).node;

// ---------------------------------------------------------------------------------------------
// Near-valid scenarios: the shape right, the contents drawn from the pools (so many are valid
// and run), then a few nodes replaced by anything

const pick = <T,>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);
const maybe = <T,>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined, freq: 2 });

const rule = fc.record(
  {
    protocol: maybe(pick(['tcp', 'udp', 'icmp', 'all', 'sctp'])),
    ports: maybe(fc.oneof(pick([22, 80, 53, '8000-8080', 65536]), fc.tuple(fc.nat(100), fc.nat(100)))),
    icmp: maybe(pick(['8:-1', '-1:-1', { type: 8 }, { type: 3, code: 300 }])),
    from: fc.oneof(fc.record({ cidr: pick(['0.0.0.0/0', '10.0.0.0/8', '192.0.2.0/24', '1.2.3.4/24']) }), fc.record({ group: pick(['A', 'B', 'default']) })),
  },
  { requiredKeys: ['from'] },
);
const instance = fc.record(
  {
    region: pick(['r1', 'r2', 'r3']),
    zone: maybe(pick(['r1a', 'r2a', 'zz'])),
    groups: maybe(fc.array(pick(['A', 'B', 'default']), { maxLength: 2 })),
    privateIp: maybe(pick(['10.0.0.5', '10.0.0.6', '11.0.0.1', '010.0.0.1/8'])),
    elasticIp: maybe(pick(['203.0.113.5', '203.0.113.5/32', '54.0.0.9'])),
    services: maybe(fc.array(pick(['tcp/22', 'tcp/80', 'udp/53', 'tcp/90-80']), { maxLength: 3 })),
    state: maybe(pick(['running', 'stopped', 'paused'])),
  },
  { requiredKeys: ['region'] },
);
const address = pick(['web.private', 'web.public', 'web.eip', 'web.dns', 'db.private', 'db.public', 'ext', '9.9.9.9', 'web']);
const host = pick(['web', 'db', 'ext', 'new1', 'nobody']);
const action: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(fc.constant('connect'), fc.record({ from: host, to: address, port: pick([22, 80, 53, 70000]) })),
  fc.tuple(fc.constant('send'), fc.record({ from: host, to: address, port: pick([53, 80]), count: maybe(pick([1, 3, 0, 1_000_001])) })),
  fc.tuple(fc.constant('ping'), fc.record({ from: host, to: address })),
  fc.tuple(pick(['transfer', 'close']), pick(['c1', 'c2', 'p1'])),
  fc.tuple(pick(['authorize', 'revoke']), fc.record({ group: pick(['A', 'B', 'default']), rule })),
  fc.tuple(fc.constant('launch'), fc.record({ name: pick(['new1', 'web']), region: pick(['r1', 'r2']) })),
  fc.tuple(pick(['stop', 'start', 'terminate']), host),
  fc.tuple(fc.constant('associate'), fc.record({ elasticIp: pick(['203.0.113.5', '54.0.0.9']), instance: host })),
  fc.tuple(fc.constant('disassociate'), fc.record({ elasticIp: pick(['203.0.113.5', '54.0.0.9']) })),
);
const entry = fc
  .record({
    at: maybe(pick(['0s', '1s', '1500ms', '2s', '30s', '200s', 250, '-1s'])),
    id: maybe(pick(['c1', 'c2', 'p1'])),
    expect: maybe(pick(['connected', 'timeout', 'delivered', 'dropped', 'replied', { outcome: 'refused' }, { code: 'TRACKED_CONNECTION' }, {}])),
    repeat: maybe(fc.record({ every: pick(['1ms', '1s', '0s']), count: pick([1, 2, 3, 0]) })),
    action,
  })
  .map(({ action: [key, body], ...rest }) => ({ ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)), [key]: body }));
const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
const scenarioDoc = fc
  .record({
    version: fc.oneof({ weight: 9, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: leaf }),
    platform: maybe(pick(['classic', 'vpc'])),
    settings: maybe(fc.record({ latency: maybe(fc.record({ jitter: pick([0, 0.1, 1]) })), limits: maybe(fc.record({ rulesPerGroup: pick([1, 100]) })) }).map(strip)),
    regions: fc.constantFrom({ r1: {} }, { r1: {}, r2: { zones: ['r2a', 'r2b'] } }, { r1: null }, {}),
    groups: maybe(fc.dictionary(pick(['A', 'B', 'default']), fc.record({ region: pick(['r1', 'r2']), ingress: maybe(fc.array(rule.map(strip), { maxLength: 3 })) }).map(strip), { maxKeys: 2 })),
    instances: maybe(fc.dictionary(pick(['web', 'db']), instance.map(strip), { maxKeys: 2 })),
    external: maybe(fc.constantFrom({ ext: { ip: '192.0.2.10' } }, { ext: { ip: '10.0.0.1' } }, { ext: { ip: '192.0.2.10', services: ['tcp/443'] } })),
    timeline: maybe(fc.array(entry, { maxLength: 6 })),
  })
  .map(strip);

/** The document with up to three of its nodes replaced by any tree (or a hostile value from code). */
const HOSTILE: unknown[] = [undefined, Number.NaN, Infinity, -Infinity, 10n, new Map([['region', 'r1']]), new Set([1]), new Date(0), Object.create({ region: 'r1' }), () => 1, Symbol('s'), new Uint8Array(2), new Proxy({}, { ownKeys: () => { throw new Error('trap'); } }), Object.defineProperty({}, 'region', { enumerable: true, get: () => { throw new Error('getter'); } })];
function replaceAt(doc: unknown, steps: number[], value: unknown): unknown {
  if (steps.length === 0 || typeof doc !== 'object' || doc === null) return value;
  let copy: Record<string, unknown>;
  try {
    copy = (Array.isArray(doc) ? [...(doc as unknown[])] : { ...(doc as object) }) as Record<string, unknown>;
  } catch {
    return value; // a hostile value placed by an earlier edit, which throws when read
  }
  const keys = Object.keys(copy);
  if (keys.length === 0) return value;
  const k = keys[steps[0] % keys.length];
  copy[k] = replaceAt(copy[k], steps.slice(1), value);
  return copy;
}
const mutated = fc
  .tuple(scenarioDoc, fc.array(fc.tuple(fc.array(fc.nat(20), { maxLength: 5 }), fc.oneof(tree, fc.constantFrom(...HOSTILE))), { maxLength: 3 }))
  .map(([doc, edits]) => edits.reduce<unknown>((d, [steps, v]) => replaceAt(d, steps, v), doc));

// ---------------------------------------------------------------------------------------------
// The property

/** Little enough traffic to run inside the time bound (bigger runs are the bounds tests' job). */
function smallEnough(spec: ScenarioSpec): boolean {
  let flows = 0;
  for (const e of spec.timeline) flows += (e.repeat?.count ?? 1) * (e.action.kind === 'send' ? e.action.count : 1);
  return flows <= 500;
}

/** How many documents were valid and ran: the near-valid ones must reach the runner, not only the checks. */
let ran = 0;

/** A result is ok (and runs, when small) or invalid with diagnostics that say something. */
function judge(result: ValidationResult, file: string, started: number): void {
  if (result.ok) {
    if (smallEnough(result.spec)) {
      ran++;
      const report = runScenario(result.spec);
      expect(report.flows.length).toBeGreaterThanOrEqual(0);
      expect(typeof report.passed).toBe('boolean');
    }
  } else {
    expect(result.diagnostics.length).toBeGreaterThan(0);
    for (const d of result.diagnostics) {
      expect(d.file).toBe(file);
      expect(typeof d.path).toBe('string');
      expect(typeof d.message).toBe('string');
      expect(d.message.length).toBeGreaterThan(0);
      expect(d.message).not.toMatch(/\[object |undefined|8bit|Maximum call stack|Value is/);
      expect(d.message + d.path).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
  }
  expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
}

function text(doc: unknown, format: 'yaml' | 'json'): string | undefined {
  try {
    return format === 'json' ? JSON.stringify(doc) : toYaml(doc);
  } catch {
    return undefined; // a value neither format can write (a bigint, a cycle): validateScenario only
  }
}

describe('the loader, fuzzed', () => {
  it('near-valid scenarios, with any node replaced: as documents, as YAML and as JSON', { timeout: TEST_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(mutated, (doc) => {
        const started = performance.now();
        judge(validateScenario(doc, 'fuzz.ts'), 'fuzz.ts', started);
        for (const format of ['yaml', 'json'] as const) {
          const t = text(doc, format);
          if (t !== undefined) judge(loadScenarioText(t, `fuzz.${format}`, format), `fuzz.${format}`, performance.now());
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(ran).toBeGreaterThan(RUNS / 20);
  });

  it('random trees of the scenario\'s keys', { timeout: TEST_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(tree, (doc) => {
        judge(validateScenario(doc, 'tree.json'), 'tree.json', performance.now());
      }),
      { numRuns: RUNS, seed: SEED + 1 },
    );
  });

  it('random bytes, read as YAML and as JSON', { timeout: TEST_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const t = Buffer.from(bytes).toString('utf8');
        judge(loadScenarioText(t, 'bytes.yaml', 'yaml'), 'bytes.yaml', performance.now());
        judge(loadScenarioText(t, 'bytes.json', 'json'), 'bytes.json', performance.now());
      }),
      { numRuns: RUNS, seed: SEED + 2 },
    );
  });

  const TOKENS = [
    'version: 1\n', 'regions: { r1: {} }\n', 'timeline:\n', '- ', '  ', '\n', '{', '}', '[', ']', ': ', ', ', '"', "'",
    '#', '|\n', '>-\n', '&a ', '*a', '!!omap ', '!!set ', '!!binary ', '!!str ', '<<: ', '? ', '---\n', '...\n', '%YAML 1.1\n',
    'connect: { from: ext, to: web.public, port: 22 }', 'instances: { web: { region: r1 } }', 'ext', '10.0.0.5', '1e999', '\t', '\u202e', '\ufeff',
  ];
  it('random YAML from the format\'s tokens and the syntax\'s', { timeout: TEST_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), (parts) => {
        judge(loadScenarioText(parts.join(''), 'tokens.yaml', 'yaml'), 'tokens.yaml', performance.now());
      }),
      { numRuns: RUNS * 2, seed: SEED + 3 },
    );
  });
});
