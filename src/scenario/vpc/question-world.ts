/**
 * scenario/vpc/question-world: the VPC world a question (`sgsim trace`) is asked of — a
 * `platform: vpc` file read and validated, or an imported describe-* document validated, then
 * built (to-world.ts → model/vpc/build.ts) and, with `--at`, changed by the timeline's
 * configuration actions up to that time, in timeline order (to-world.ts changeOf →
 * model/vpc/changes.ts). As for classic questions, there is no propagation delay: what the
 * world says is what is in force; nothing is tracked.
 * Does not own: validation (validate.ts), the model, or what a question makes of the world.
 */
import { extname } from 'node:path';
import { shown } from '../diagnostics.ts';
import { MAX_SCENARIO_BYTES, readScenarioText } from '../load/files.ts';
import { parseScenarioText } from '../load/parse.ts';
import { applyVpcChange } from '../../model/vpc/changes.ts';
import { createVpcWorld } from '../../model/vpc/build.ts';
import type { VpcWorld } from '../../model/vpc/world.ts';
import type { VpcScenarioSpec } from './spec.ts';
import { validateVpcScenario, type VpcValidationResult } from './validate.ts';
import { changeOf, worldInputOf } from './to-world.ts';

/** Reads and validates a `platform: vpc` file (`.yaml`, `.yml` or `.json`). */
export async function loadVpcScenarioFile(path: string): Promise<VpcValidationResult> {
  const fail = (message: string): VpcValidationResult => ({ ok: false, diagnostics: [shown({ file: path, path: '', message })] });
  const ext = extname(path).toLowerCase();
  // A builder script runs isolated (cli/load-isolated.ts) for classic; not here, so not at all.
  if (ext === '.ts') return fail('a platform vpc builder script cannot be answered yet: write the scenario as YAML or JSON');
  const format = ext === '.json' ? 'json' : 'yaml';
  const text = await readScenarioText(path, MAX_SCENARIO_BYTES[format]);
  if (typeof text !== 'string') return fail(text.error);
  const parsed = parseScenarioText(text, path, format);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics.map(shown) };
  return validateVpcScenario(parsed.doc, path);
}

/** Validates a VPC document built in memory (an imported describe-* folder). */
export function vpcScenarioOf(doc: unknown, file: string): VpcValidationResult {
  return validateVpcScenario(doc, file);
}

/** The world before the timeline (atNs null), or after its configuration changes up to atNs. */
export function vpcWorldAt(spec: VpcScenarioSpec, atNs: number | null): VpcWorld {
  let world = createVpcWorld(worldInputOf(spec));
  if (atNs === null) return world;
  for (const e of spec.timeline) {
    if (e.at > atNs) break;
    const c = changeOf(e.action);
    if (c) world = applyVpcChange(world, c);
  }
  return world;
}
