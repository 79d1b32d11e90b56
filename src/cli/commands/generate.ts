/**
 * cli/commands/generate: `sgsim generate` — writes a generated, realistic classic scenario
 * (scenario/generate.ts) as YAML or JSON, to stdout or a file.
 */
import { writeFileSync } from 'node:fs';
import { stringify as toYaml } from 'yaml';
import { REGION_NAMES, generateScenario } from '../../index.ts';
import { EXIT_INVALID_INPUT, EXIT_OK, type Io } from '../io.ts';

export interface GenerateFlags {
  instances: number;
  groups: number;
  rulesPerGroup: number;
  regions: number;
  seed: string;
  flows: number;
  format: 'yaml' | 'json';
  output?: string;
}

export function generateCommand(flags: GenerateFlags, io: Io): number {
  if (flags.regions > REGION_NAMES.length) {
    io.stderr(`sgsim: --regions must be at most ${REGION_NAMES.length}\n`);
    return EXIT_INVALID_INPUT;
  }
  const doc = generateScenario({
    instances: flags.instances,
    groups: flags.groups,
    rulesPerGroup: flags.rulesPerGroup,
    regions: flags.regions,
    seed: flags.seed,
    flows: flags.flows,
  });
  const text = flags.format === 'json' ? JSON.stringify(doc, null, 2) + '\n' : toYaml(doc, { lineWidth: 0 });
  if (flags.output) {
    writeFileSync(flags.output, text);
    io.stderr(`wrote ${flags.output} (${flags.instances} instances, ${flags.groups} groups, ${flags.flows} flows)\n`);
  } else io.stdout(text);
  return EXIT_OK;
}
