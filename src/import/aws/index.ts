/**
 * import/aws: `sgsim import aws` — a folder of EC2 describe-* JSON → a `platform: vpc` scenario.
 *
 * Owns: the entry points (import a folder; write the document as YAML or JSON, the same input
 * giving the same bytes). One module per describe-* resource owns its keys (as Batfish's
 * representation/aws has one class per resource); dispatch.ts runs them.
 */
import { stringify } from 'yaml';
import type { VpcScenarioDocument } from './document.ts';

export { importAwsFolder, type ImportResult } from './dispatch.ts';
export { formatWarning, type ImportWarning } from './warnings.ts';
export type { ImportOptions } from './context.ts';
export { isRegionName } from './common.ts';
export type { VpcScenarioDocument } from './document.ts';

/** The document as text: YAML (the `yaml` package, no line folding) or pretty JSON, ending in a newline. */
export function renderImported(doc: VpcScenarioDocument, format: 'yaml' | 'json'): string {
  return format === 'json' ? JSON.stringify(doc, null, 2) + '\n' : stringify(doc, { lineWidth: 0 });
}
