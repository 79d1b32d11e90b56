/**
 * scenario/load/messages: the few phrases the loader's messages share.
 *
 * Owns: how a timeline entry is referred to (`timeline[3] at 2s`), and the loader's use of the
 * one rule describer and the one time formatter (policy/evaluate.ts), in their `file` and
 * `exact` forms: a message quotes a rule as the file writes it and a time exactly as written.
 * Escaping control and bidi characters in user-given names is scenario/diagnostics.ts's
 * (`showText`), applied to every diagnostic the loader returns.
 */
import { describeRule, formatSeconds } from '../../policy/evaluate.ts';
import type { Rule } from '../../model/types.ts';
import type { Nanos } from '../spec.ts';

/** A time of the timeline, exactly as written: `2s`, `1.5s`, `250ms`, `100us`. */
export function formatTime(ns: Nanos): string {
  return formatSeconds(ns, true);
}

/** A rule as the file writes it: `tcp 22 from 1.2.3.4/32`, `all from group A`. */
export function ruleText(r: Rule): string {
  return describeRule(r, 'file');
}

export function entryRef(index: number, at: Nanos): string {
  return `timeline[${index}] at ${formatTime(at)}`;
}
