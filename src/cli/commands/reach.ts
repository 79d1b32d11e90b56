/**
 * cli/commands/reach: `sgsim reach` — who can reach whom, a table grouped by destination with
 * the rule that admits, or `--json`. Exit 0, 2 invalid input.
 */
import { ClassicSnapshot, reach, ReachQueryError, type ReachResult } from '../../index.ts';
import { EXIT_OK, type Io } from '../io.ts';
import { invalid, loadQuestionWorld } from './question-input.ts';

export interface ReachFlags {
  from?: string;
  to?: string;
  port?: number;
  allPorts?: boolean;
  protocol?: string;
  at?: string;
  json?: boolean;
}

export function renderReach(r: ReachResult): string {
  if (r.rows.length === 0) return 'nobody reaches anyone on that (no trace was admitted)\n';
  const byDest = new Map<string, typeof r.rows>();
  for (const row of r.rows) {
    const k = `${row.to} ${row.address} (${row.target.slice(row.to.length + 1)})`;
    let list = byDest.get(k);
    if (!list) byDest.set(k, (list = []));
    list.push(row);
  }
  let out = '';
  for (const [dest, rows] of byDest) {
    out += `${dest}\n`;
    for (const row of rows) {
      const who = row.from === 'internet' ? `internet (${row.sources.join(', ')})` : row.from;
      out += `  ${`${row.protocol} ${row.ports}`.padEnd(16)} from ${who.padEnd(24)} ${row.path} path${row.nat ? ', NAT' : ''}  via ${row.via}\n`;
    }
  }
  if (r.denied.length) {
    out += `denied (${r.denied.length}):\n`;
    for (const d of r.denied) out += `  ${d.from} -> ${d.target} ${d.protocol}${d.port === null ? '' : `/${d.port}`}: ${d.blockedBy.join(', ')}\n`;
  }
  return out;
}

export async function reachCommand(path: string, flags: ReachFlags, io: Io): Promise<number> {
  const q = await loadQuestionWorld(path, flags.at, io);
  if (!q) return 2;
  const protocol = (flags.protocol ?? 'tcp') as 'tcp' | 'udp' | 'icmp';
  if (flags.allPorts && flags.port !== undefined) return invalid(io, q.shown, '', '--port and --all-ports exclude each other');
  const query = { from: flags.from ?? null, to: flags.to ?? null, port: flags.port ?? null, protocol };
  let result: ReachResult;
  try {
    result = reach(new ClassicSnapshot(q.world), query);
  } catch (e) {
    if (e instanceof ReachQueryError) return invalid(io, q.shown, '', e.message);
    throw e;
  }
  if (flags.json) io.stdout(`${JSON.stringify({ version: 1, question: 'reach', scenario: q.spec.name, atMs: q.atMs, query, rows: result.rows, denied: result.denied }, null, 2)}\n`);
  else io.stdout(renderReach(result));
  return EXIT_OK;
}
