/**
 * cli/commands/question-input: what `trace`, `reach` and `exposure` ask of: a scenario file
 * (classic) or a describe-* folder (imported on the fly), the world at `--at`, and the
 * parsing of the options they share (`--at`, `--to`, `--protocol`).
 * A VPC world (a `platform: vpc` file, or an imported account) is loaded for `trace` only
 * (`loadAnyQuestionWorld`); `reach` and `exposure` (`loadQuestionWorld`) answer it with one
 * diagnostic "for platform vpc, only trace is answered so far", exit 2 (never a crash).
 */
import { statSync } from 'node:fs';
import { formatDiagnostic, formatWarning, getInstance, importAwsFolder, loadVpcScenarioFile, palette, parseIp, vpcScenarioOf, vpcWorldAt, worldAt, type AddressSpec, type Diagnostic, type ScenarioSpec, type VpcScenarioSpec, type VpcWorld, type World } from '../../index.ts';
import { loadFile } from '../file-job.ts';
import { EXIT_INVALID_INPUT, type Io } from '../io.ts';
import { displayPath } from '../paths.ts';

export interface QuestionWorld {
  readonly spec: ScenarioSpec;
  readonly world: World;
  readonly atMs: number | null;
  readonly shown: string;
}

/** A VPC world a question is asked of (a `platform: vpc` file or an imported folder). */
export interface VpcQuestionWorld {
  readonly platform: 'vpc';
  readonly spec: VpcScenarioSpec;
  readonly world: VpcWorld;
  readonly atMs: number | null;
  readonly shown: string;
}

const VPC_NOT_YET = 'platform vpc: not yet simulated (for platform vpc, only trace is answered so far)';

const UNIT_NS: Record<string, number> = { ms: 1e6, s: 1e9, m: 60e9 };

/** `--at`: a time such as 30s, 500ms, 2m or a number of seconds, to nanoseconds; or an error. */
export function parseAt(value: string): number | { error: string } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  if (!m) return { error: `--at: expected a time such as 30s, 500ms or 2m, not ${JSON.stringify(value)}` };
  return Math.round(Number(m[1]) * UNIT_NS[m[2] ?? 's']);
}

/** Loads the classic scenario or folder a question is asked of; null (with the diagnostics printed) if it cannot be. */
export async function loadQuestionWorld(path: string, at: string | undefined, io: Io, loadTimeoutMs = 5000): Promise<QuestionWorld | null> {
  const q = await loadAnyQuestionWorld(path, at, io, loadTimeoutMs, false);
  return q === null || 'platform' in q ? null : q;
}

/**
 * Loads a classic scenario, a `platform: vpc` file or an imported folder; null (with the
 * diagnostics printed) if it cannot be. `answersVpc` false: a VPC world is refused as soon as it
 * is recognised (VPC_NOT_YET).
 */
export async function loadAnyQuestionWorld(path: string, at: string | undefined, io: Io, loadTimeoutMs = 5000, answersVpc = true): Promise<QuestionWorld | VpcQuestionWorld | null> {
  const p = palette(io.color);
  const shown = displayPath(io.cwd, path);
  const fail = (message: string, field = ''): null => {
    io.stderr(`${p.red('error')} ${formatDiagnostic({ file: shown, path: field, message })}\n`);
    return null;
  };
  const failAll = (diagnostics: readonly Diagnostic[]): null => {
    for (const d of diagnostics) io.stderr(`${p.red('error')} ${formatDiagnostic({ ...d, file: shown })}\n`);
    return null;
  };
  let atNs: number | null = null;
  if (at !== undefined) {
    const t = parseAt(at);
    if (typeof t !== 'number') return fail(t.error);
    atNs = t;
  }
  const atMs = atNs === null ? null : atNs / 1e6;
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return fail('no such file or directory');
  }
  if (isDir) {
    const imported = importAwsFolder(path);
    for (const w of imported.warnings) io.stderr(`${p.yellow('warning')} ${formatWarning(w)}\n`);
    if (!imported.ok) {
      for (const d of imported.diagnostics) io.stderr(`${p.red('error')} ${formatDiagnostic(d)}\n`);
      return null;
    }
    if (!answersVpc) return fail(`${VPC_NOT_YET} (the imported account is a VPC world)`, 'platform');
    const v = vpcScenarioOf(imported.document, shown);
    if (!v.ok) return failAll(v.diagnostics);
    return { platform: 'vpc', spec: v.spec, world: vpcWorldAt(v.spec, atNs), atMs, shown };
  }
  const loaded = await loadFile(path, loadTimeoutMs);
  if (!loaded.ok) {
    const vpc = loaded.diagnostics.some((d) => d.path === 'platform' && /platform vpc/.test(d.message));
    if (!vpc) return failAll(loaded.diagnostics);
    if (!answersVpc) return fail(VPC_NOT_YET, 'platform');
    const v = await loadVpcScenarioFile(path);
    if (!v.ok) return failAll(v.diagnostics);
    return { platform: 'vpc', spec: v.spec, world: vpcWorldAt(v.spec, atNs), atMs, shown };
  }
  return { spec: loaded.spec, world: worldAt(loaded.spec, atNs), atMs, shown };
}

/** `--to`: `host.private|public|eip|dns`, a host outside AWS, an instance (its private address), or an address. */
export function parseTarget(world: World, text: string): AddressSpec | { error: string } {
  const dot = text.lastIndexOf('.');
  if (dot > 0) {
    const kind = text.slice(dot + 1);
    const name = text.slice(0, dot);
    if ((kind === 'private' || kind === 'public' || kind === 'eip' || kind === 'dns') && getInstance(world, name)) return { kind, instance: name };
  }
  if (world.external[text]) return { kind: 'external', host: text };
  if (getInstance(world, text)) return { kind: 'private', instance: text };
  const ip = parseIp(text);
  if (typeof ip === 'number') return { kind: 'ip', ip };
  return { error: `--to: ${JSON.stringify(text)} is no address, instance (name, name.private, .public, .eip, .dns) or host outside AWS of the scenario` };
}

export function invalid(io: Io, shown: string, field: string, message: string): number {
  io.stderr(`${palette(io.color).red('error')} ${formatDiagnostic({ file: shown, path: field, message })}\n`);
  return EXIT_INVALID_INPUT;
}
