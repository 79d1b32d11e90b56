/**
 * cli/commands/exposure: `sgsim exposure` — findings (internet-reachable ports, unused groups,
 * stale group references, shadowed rules), each with what admits it and the fix. Exit 1 when a
 * finding reaches `--fail-on` (default high; `none`: never), else 0; 2 invalid input.
 */
import { ClassicSnapshot, exposure, palette, type ExposureResult } from '../../index.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, type Io } from '../io.ts';
import { loadQuestionWorld } from './question-input.ts';

export interface ExposureFlags {
  at?: string;
  json?: boolean;
  failOn?: 'high' | 'medium' | 'low' | 'none';
}

const RANK = { high: 0, medium: 1, low: 2, none: -1 } as const;

export function renderExposure(r: ExposureResult, color: boolean): string {
  const p = palette(color);
  let out = '';
  for (const f of r.findings) {
    const sev = f.severity === 'high' ? p.red('high  ') : f.severity === 'medium' ? p.yellow('medium') : 'low   ';
    out += `${sev} ${f.id}  ${f.message}\n`;
    for (const a of f.admittedBy) out += `         admitted by group ${a.group}: ${a.rule.protocol}${a.rule.ports ? ` ${a.rule.ports}` : ''}${a.rule.icmp ? ` ${a.rule.icmp}` : ''} from ${'cidr' in a.rule.from ? a.rule.from.cidr : `group ${a.rule.from.group}`}\n`;
    if (f.shadowedBy) out += `         shadowed by group ${f.shadowedBy.group}'s rule ${f.shadowedBy.rule.protocol}${f.shadowedBy.rule.ports ? ` ${f.shadowedBy.rule.ports}` : ''}\n`;
    for (const x of f.fix) out += `         fix: ${x}\n`;
  }
  const s = r.summary;
  out += `${s.total} finding${s.total === 1 ? '' : 's'}: ${s.high} high, ${s.medium} medium, ${s.low} low (internet exposures are traced flows, not rules alone)\n`;
  return out;
}

export async function exposureCommand(path: string, flags: ExposureFlags, io: Io): Promise<number> {
  const q = await loadQuestionWorld(path, flags.at, io);
  if (!q) return 2;
  const result = exposure(q.world, new ClassicSnapshot(q.world));
  if (flags.json) io.stdout(`${JSON.stringify({ version: 1, question: 'exposure', scenario: q.spec.name, atMs: q.atMs, findings: result.findings, summary: result.summary }, null, 2)}\n`);
  else io.stdout(renderExposure(result, io.color));
  const failOn = flags.failOn ?? 'high';
  if (failOn === 'none') return EXIT_OK;
  return result.findings.some((f) => RANK[f.severity] <= RANK[failOn]) ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}
