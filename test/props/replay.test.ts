/**
 * test/props/replay: counterexample files round-trip.
 *
 * Owns: the property that a generated spec, written back as a scenario document
 * (specToDocument) and read by the loader (validateScenario), runs to the same report — so a
 * counterexample file replays the case that failed. Also that the YAML text loads, and that the
 * oracle's expectations written into a file leave out flows the oracle cannot vouch for.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateScenario } from '../../src/scenario/load.ts';
import type { ScenarioSpec } from '../../src/scenario/spec.ts';
import { specArb } from './arbitraries.ts';
import { safeRun } from './observe.ts';
import { checkProperty, firstDifference, specToDocument, specToYaml, TIMEOUT, withReferenceExpectations } from './replay.ts';

function sameRun(back: ScenarioSpec, spec: ScenarioSpec): void {
  const diff = firstDifference(JSON.stringify(safeRun(spec)), JSON.stringify(safeRun(back)));
  if (diff) throw new Error(`the loaded document runs differently (original first, loaded second); ${diff}`);
}

function roundTrip(spec: ScenarioSpec): ScenarioSpec {
  const doc = parse(specToYaml(spec)) as unknown;
  expect(doc).toEqual(JSON.parse(JSON.stringify(specToDocument(spec))));
  const v = validateScenario(doc, 'x');
  if (!v.ok) throw new Error(`the document does not validate:\n${v.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n')}\n${specToYaml(spec)}`);
  return v.spec;
}

describe('counterexample files', () => {
  it(
    'specToDocument round-trips: the loaded document runs to the same report',
    () => {
      checkProperty(
        'specToDocument round-trips: the loaded document runs to the same report',
        specArb({ lifecycle: true, eips: 'any', declare: 'some', jitter: 0.1, propagationDelay: 'random' }),
        (spec) => {
          sameRun(roundTrip(spec), spec);
        },
        { runs: 100, files: (spec) => [{ spec }] },
      );
    },
    TIMEOUT,
  );

  it(
    'specToDocument round-trips worlds with declared addresses and every address kind',
    () => {
      checkProperty(
        'specToDocument round-trips worlds with declared addresses and every address kind',
        specArb({ declare: 'all', terminate: true, eips: 'free' }),
        (spec) => {
          sameRun(roundTrip(spec), spec);
        },
        { runs: 60, files: (spec) => [{ spec }] },
      );
    },
    TIMEOUT,
  );
});

/** The start of a scenario document, as the counterexample files write it. */
const HEAD = 'version: 1\nname: property case\nplatform: classic\nseed: "1"\n';

function load(yaml: string): { spec: ScenarioSpec } {
  const v = validateScenario(parse(yaml) as unknown, 'x');
  if (!v.ok) throw new Error(v.diagnostics.map((d) => d.message).join('\n'));
  return v;
}

describe('reference expectations in counterexample files', () => {
  it("leave out a flow still retrying when the world changes (the oracle decides a flow when it starts)", () => {
    // From a fault run: x1's connect is denied at 0 s and retries until 127 s; i1 is terminated
    // at 9 s, so its later SYNs find no host and sgsim times it out for that reason. The oracle
    // said ENI_SG_RULES_MISMATCH, and the file failed on correct code.
    const yaml = `${HEAD}regions: { us-east-1: { zones: [us-east-1a] } }
groups:
  G1: { region: us-east-1, ingress: [{ protocol: tcp, ports: 1-443, from: { cidr: 1.2.3.4/32 } }] }
instances:
  i1: { region: us-east-1, zone: us-east-1a, groups: [G1], privateIp: 10.108.159.98, publicIp: 54.223.252.223 }
external:
  x1: { ip: 1.2.3.4 }
timeline:
  - { at: 0s, id: f1, connect: { from: x1, to: i1.public, port: 444 } }
  - { at: 3s, id: f2, connect: { from: i1, to: 1.2.3.4, port: 0 } }
  - { at: 6s, id: f3, connect: { from: i1, to: 1.2.3.4, port: 0 } }
  - { at: 9s, terminate: i1 }
`;
    const v = load(yaml);
    const { spec } = withReferenceExpectations({ spec: v.spec });
    expect(spec.timeline.map((e) => e.expect?.code ?? null)).toEqual([null, 'CONNECTION_REFUSED', 'CONNECTION_REFUSED', null]);
    const report = safeRun(spec);
    expect(report.flows.map((f) => f.explanation.code)).toEqual(['NO_ROUTE_TO_DESTINATION', 'CONNECTION_REFUSED', 'CONNECTION_REFUSED']);
    expect(report.passed).toBe(true);
    // Without the change, the oracle vouches for the denied connect too.
    const still = withReferenceExpectations({ spec: { ...v.spec, timeline: v.spec.timeline.slice(0, 3) } }).spec;
    expect(still.timeline[0].expect?.code).toBe('ENI_SG_RULES_MISMATCH');
    expect(safeRun(still).passed).toBe(true);
  });

  it('leave out flows whose answer may not come back before they stop waiting (the oracle ignores time)', () => {
    // From a mutation run: the public path takes 1.9 s, a connect gives up after 200 ms; sgsim
    // times it out for no answer before its SYN arrives and is denied.
    const yaml = `${HEAD}settings:
  latency: { publicPath: 1900ms, crossRegion: 1900ms, internet: 1900ms }
  tcp: { synRetries: 0, initialRto: 200ms }
regions: { us-east-1: { zones: [us-east-1a] } }
instances:
  i1: { region: us-east-1, zone: us-east-1a, groups: [default], privateIp: 10.108.159.98, publicIp: 54.223.252.223 }
  i2: { region: us-east-1, zone: us-east-1a, groups: [default], privateIp: 10.151.148.113, publicIp: 54.77.53.95, services: [tcp/0-65535] }
timeline:
  - { at: 0s, id: f1, connect: { from: i1, to: i2.public, port: 0 } }
  - { at: 1s, id: f2, send: { from: i1, to: i2.public, port: 53 } }
`;
    const v = load(yaml);
    const { spec } = withReferenceExpectations({ spec: v.spec });
    expect(spec.timeline.map((e) => e.expect?.outcome ?? null)).toEqual([null, 'dropped']);
    const report = safeRun(spec);
    expect(report.flows[0].explanation.code).toBe('SIM_NO_ANSWER_IN_TIME');
    expect(report.passed).toBe(true);
    // With a wait longer than two of the slowest trips, the oracle vouches for the connect.
    const patient = { ...v.spec, settings: { ...v.spec.settings, tcp: { synRetries: 1, initialRto: 2_000_000_000 } } };
    const vouched = withReferenceExpectations({ spec: patient }).spec;
    expect(vouched.timeline[0].expect?.code).toBe('SG_REFERENCES_NOT_PRESERVED');
    expect(safeRun(vouched).passed).toBe(true);
  });
});
