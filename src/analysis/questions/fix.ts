/**
 * analysis/questions/fix: the smallest timeline actions that would admit a flow that does not
 * get through, each checked by tracing the flow again in the world with it applied.
 *
 * Owns: proposing, narrowest first, for a flow the receiver's groups drop: an `authorize` on
 * the receiver's first group of exactly the flow's protocol and port, from the sender's group
 * when the flow comes over the private path from a running member (identity kept: it survives
 * the sender's restarts), else from the source the receiver sees as a /32; for a sender that
 * is not running, `start` it; for a stopped destination named by instance, `start` it. Each
 * is applied (model/world.ts applyChange) and the flow re-traced; only those that then admit
 * it are marked verified.
 * Does not own: tracing (trace.ts).
 */
import { applyChange, getInstance, type Change, type World } from '../../model/world.ts';
import { groupDisplayName, type Rule } from '../../model/types.ts';
import { describeRule } from '../../policy/evaluate.ts';
import { ruleReport } from '../../scenario/run.ts';
import { ClassicSnapshot } from './snapshot.ts';
import { admitted, traceClassic, type ClassicTrace, type FixReport } from './trace.ts';

const GROUP_DENIALS = new Set(['ENI_SG_RULES_MISMATCH', 'SG_HAS_NO_RULES', 'SG_REFERENCES_NOT_PRESERVED']);

function ruleFor(t: ClassicTrace, source: Rule['source']): Rule {
  const q = t.question;
  if (q.protocol === 'icmp') return { protocol: 'icmp', icmp: { type: 8, code: 0 }, source };
  return { protocol: q.protocol, ports: { from: q.port, to: q.port }, source };
}

/** Candidate changes for a blocked flow, narrowest first. */
function candidates(snap: ClassicSnapshot, t: ClassicTrace): Change[] {
  const out: Change[] = [];
  const code = t.explanation.code;
  if (code === 'SOURCE_NOT_RUNNING' && snap.isInstance(t.sender)) out.push({ kind: 'start', instance: t.question.from });
  const to = t.question.to;
  if (code === 'NO_ROUTE_TO_DESTINATION' && to.kind !== 'ip' && to.kind !== 'external') {
    const inst = getInstance(snap.world, to.instance);
    if (inst && inst.state === 'stopped') out.push({ kind: 'start', instance: inst.name });
  }
  const f = t.forward;
  if (t.blockedIn === 'forward' && f && f.drop && GROUP_DENIALS.has(f.drop.code)) {
    const p = f.packet;
    const groups = snap.groupsInForce(p.receiver);
    if (groups.length > 0) {
      const target = groups[0].key;
      const senderGroups = snap.senderGroups(p.sender);
      if (p.privatePath && senderGroups && senderGroups.length > 0) out.push({ kind: 'authorize', group: target, rule: ruleFor(t, { kind: 'group', group: senderGroups[0] }) });
      out.push({ kind: 'authorize', group: target, rule: ruleFor(t, { kind: 'cidr', cidr: { base: p.source, prefix: 32 } }) });
    }
  }
  return out;
}

function report(c: Change, outcome: string, verified: boolean): FixReport {
  switch (c.kind) {
    case 'authorize':
      return { action: 'authorize', group: groupDisplayName(c.group), rule: ruleReport(c.rule), text: `authorize ${groupDisplayName(c.group)}: ${describeRule(c.rule, 'file')}`, verified, outcome };
    case 'start':
      return { action: 'start', instance: c.instance, text: `start ${c.instance}`, verified, outcome };
    default:
      return { action: c.kind, text: c.kind, verified, outcome };
  }
}

/** The fixes of a blocked flow (none for one that gets through), each re-traced. */
export function fixesOf(world: World, snap: ClassicSnapshot, t: ClassicTrace): FixReport[] {
  if (admitted(t.outcome)) return [];
  const out: FixReport[] = [];
  for (const c of candidates(snap, t)) {
    let after: World;
    try {
      after = applyChange(world, c);
    } catch {
      continue; // the world cannot take it (a rule already held): not a fix
    }
    const again = traceClassic(new ClassicSnapshot(after), t.question);
    out.push(report(c, again.outcome, admitted(again.outcome)));
  }
  return out.sort((a, b) => Number(b.verified) - Number(a.verified));
}
