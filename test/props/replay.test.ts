/**
 * test/props/replay: counterexample files round-trip.
 *
 * Owns: the property that a generated spec, written back as a scenario document
 * (specToDocument) and read by the loader (validateScenario), runs to the same report — so a
 * counterexample file replays the case that failed. Also that the YAML text loads.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateScenario } from '../../src/scenario/load.ts';
import type { ScenarioSpec } from '../../src/scenario/spec.ts';
import { specArb } from './arbitraries.ts';
import { safeRun } from './observe.ts';
import { checkProperty, firstDifference, specToDocument, specToYaml, TIMEOUT } from './replay.ts';

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
