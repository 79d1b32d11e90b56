/**
 * cli/commands/trace: `sgsim trace` — one flow, hop by hop, both ways, with the fix
 * (scenario-format-vpc.md "Questions without traffic"). Exit 0 admitted (connected, refused,
 * delivered, replied), 1 not, 2 invalid input. A VPC world (a `platform: vpc` file, an imported
 * folder) is traced by traceVpcQuestion and rendered by renderVpcTrace, in the same style.
 */
import { classicPlanner, palette, traceVpcQuestion, VpcFlowError, type HopReport, type TraceAnswer, type VpcTraceAnswer } from '../../index.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, type Io } from '../io.ts';
import { invalid, loadAnyQuestionWorld, parseTarget, type VpcQuestionWorld } from './question-input.ts';

export interface TraceFlags {
  from: string;
  to: string;
  protocol?: string;
  port?: number;
  sourcePort?: number;
  at?: string;
  json?: boolean;
}

function hopLine(h: HopReport): string {
  let s = `    ${h.hop.padEnd(10)} ${h.verdict.padEnd(8)}`;
  if (h.packet) s += ` to ${h.packet.to}: ${h.packet.source} -> ${h.packet.destination} (${h.packet.path} path${h.packet.redirected ? ', redirected' : ''})`;
  if (h.code) s += ` ${h.code}: ${h.message}`;
  if (h.action) s += ` ${h.action}`;
  if (h.hypothetical) s += ' (hypothetical: past a blocker)';
  return `${s}\n`;
}

export function renderTrace(a: TraceAnswer, color: boolean): string {
  const p = palette(color);
  const port = a.flow.port === null ? '' : `/${a.flow.port}`;
  const verdict = a.admitted ? p.green(a.outcome) : p.red(a.outcome);
  let out = `trace ${a.flow.from} -> ${a.flow.to} (${a.flow.target}) ${a.flow.protocol}${port}: ${verdict}\n`;
  if (a.path) out += `  path: ${a.path}${a.redirected ? ' (redirected)' : ''}${a.source ? `, the receiver sees source ${a.source}` : ''}\n`;
  for (const r of a.rewrites) out += `  rewrite at ${r.hop}: ${r.field} ${r.from} -> ${r.to} (${r.why})\n`;
  out += '  request:\n';
  for (const h of a.forward) out += hopLine(h);
  if (a.reverse.length) {
    out += '  answer:\n';
    for (const h of a.reverse) out += hopLine(h);
  }
  out += `  why: ${a.explanation.code}: ${a.explanation.message}\n`;
  if (a.decidedBy) out += `  decided by: the ${a.decidedBy.hop} hop (${a.decidedBy.direction === 'forward' ? 'request' : 'answer'})\n`;
  if (a.blockedBy.length) out += `  blocked by: ${a.blockedBy.join(', ')}\n`;
  if (!a.admitted) {
    if (a.fix.length === 0) out += '  fix: none found by sgsim\n';
    else {
      out += '  fix (narrowest first; each re-traced with it applied):\n';
      for (const f of a.fix) out += `    ${f.text}  ${f.verified ? p.green(`[verified: ${f.outcome}]`) : p.yellow(`[not enough: ${f.outcome}]`)}\n`;
    }
  }
  return out;
}

function vpcHopLine(h: Record<string, unknown>): string {
  const parts: string[] = [];
  if (h.code !== undefined) parts.push(String(h.code));
  if (h.group !== undefined) parts.push(`group ${String(h.group)}`);
  if (h.rule !== undefined) parts.push(`rule ${String(h.rule)}`);
  if (h.entry !== undefined) parts.push(`entry ${String(h.entry)}`);
  const route = h.route as { destination: string; target: string } | undefined;
  if (route !== undefined) parts.push(`route ${route.destination} -> ${route.target}`);
  let s = `    ${`${String(h.kind)} ${String(h.name)}`.padEnd(24)} ${String(h.verdict).padEnd(8)}`;
  s += parts.length ? ` ${parts.join(' ')}: ${String(h.detail)}` : ` ${String(h.detail)}`;
  if (Array.isArray(h.notes)) s += ` [${h.notes.join(', ')}]`;
  if (h.hypothetical) s += ' (hypothetical: past a blocker)';
  return `${s}\n`;
}

/** A VPC trace in the classic trace's text style. */
export function renderVpcTrace(a: VpcTraceAnswer, color: boolean): string {
  const p = palette(color);
  const port = a.flow.port === null ? '' : `/${a.flow.port}`;
  const verdict = a.admitted ? p.green(a.outcome) : p.red(a.outcome);
  let out = `trace ${a.flow.from} -> ${a.flow.to} ${a.flow.protocol}${port}: ${verdict}\n`;
  out += `  path: ${a.path}${a.nat ? ', through a NAT gateway' : ''}${a.source ? `, the receiver sees source ${a.source}` : ''}\n`;
  for (const r of a.rewrites) out += `  rewrite at ${r.hop}: ${r.kind} ${r.from} -> ${r.to}\n`;
  out += '  request:\n';
  for (const h of a.forward) out += vpcHopLine(h);
  if (a.reverse.length) {
    out += '  answer:\n';
    for (const h of a.reverse) out += vpcHopLine(h);
  }
  const e = a.explanation;
  out += `  why: ${e.code}${e.detail ? `: ${e.detail}` : ''}\n`;
  if (a.decidedBy) out += `  decided by: the ${a.decidedBy.kind} ${a.decidedBy.name} hop (${a.decidedBy.direction === 'request' ? 'request' : 'answer'})\n`;
  if (e.blockedPath.length) {
    out += `  blocked by: ${[e.code, ...e.blockers].join(', ')}\n`;
    for (const b of e.blockedPath) out += `    ${b.direction === 'request' ? 'request' : 'answer'} ${b.kind} ${b.name}: ${b.code}\n`;
    if (!e.complete) out += '    (a hop with no next hop ended the evaluation: later blockers unknown)\n';
  }
  return out;
}

async function traceVpcCommand(q: VpcQuestionWorld, flags: TraceFlags, protocol: 'tcp' | 'udp' | 'icmp', io: Io): Promise<number> {
  let answer: VpcTraceAnswer;
  try {
    answer = traceVpcQuestion(q.world, { from: flags.from, to: flags.to, protocol, ...(flags.port !== undefined ? { port: flags.port } : {}), ...(flags.sourcePort !== undefined ? { sourcePort: flags.sourcePort } : {}) });
  } catch (e) {
    if (e instanceof VpcFlowError) return invalid(io, q.shown, '', e.message);
    throw e;
  }
  if (flags.json) io.stdout(`${JSON.stringify({ version: 1, question: 'trace', scenario: q.spec.name, platform: 'vpc', atMs: q.atMs, ...answer }, null, 2)}\n`);
  else io.stdout(renderVpcTrace(answer, io.color));
  return answer.admitted ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}

export async function traceCommand(path: string, flags: TraceFlags, io: Io): Promise<number> {
  const q = await loadAnyQuestionWorld(path, flags.at, io);
  if (!q) return 2;
  const protocol = (flags.protocol ?? 'tcp') as 'tcp' | 'udp' | 'icmp';
  if (!q.world || (protocol !== 'icmp' && flags.port === undefined)) return invalid(io, q.shown, '', `--port is required for ${protocol}`);
  if ('platform' in q) return traceVpcCommand(q, flags, protocol, io);
  const sender = q.world.external[flags.from] ?? null;
  const instance = [...q.spec.instances].some((i) => i.name === flags.from) || q.spec.timeline.some((e) => e.action.kind === 'launch' && e.action.instance.name === flags.from);
  if (!sender && !instance) return invalid(io, q.shown, '', `--from: no host ${flags.from} in the scenario`);
  const to = parseTarget(q.world, flags.to);
  if ('error' in to) return invalid(io, q.shown, '', to.error);
  let answer: TraceAnswer;
  try {
    answer = classicPlanner.trace(q.world, { from: flags.from, to, protocol, port: flags.port ?? 0, ...(flags.sourcePort !== undefined ? { sourcePort: flags.sourcePort } : {}) });
  } catch (e) {
    if (e instanceof Error && /^unknown sender/.test(e.message)) return invalid(io, q.shown, '', `--from: ${flags.from} is not in the world at that time`);
    throw e;
  }
  if (flags.json) io.stdout(`${JSON.stringify({ version: 1, question: 'trace', scenario: q.spec.name, atMs: q.atMs, ...answer }, null, 2)}\n`);
  else io.stdout(renderTrace(answer, io.color));
  return answer.admitted ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}
