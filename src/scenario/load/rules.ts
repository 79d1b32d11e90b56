/**
 * scenario/load/rules: one ingress rule, in a group or in an authorize or revoke.
 *
 * Owns: protocol, ports and icmp fitting each other, the icmp forms, and the source (exactly
 * one of a CIDR block and a group of the same region).
 */
import { parseCidr } from '../../net/ipv4.ts';
import type { IcmpMatch, PortRange, RuleProtocol } from '../../net/protocol.ts';
import type { Rule, RuleSource } from '../../model/types.ts';
import { ICMP_FIELDS, PROTOCOL_NAMES, RULE_FIELDS, SOURCE_FIELDS, checkIcmp, closest, describeValue, isProblem, parseIcmpText, parsePorts } from '../schema.ts';
import { resolveGroup } from './names.ts';
import type { Names } from './state.ts';
import { absent, type Checker, type Path } from './structure.ts';

/**
 * A rule of a group in `region` (undefined when the group's region is itself invalid, which
 * is reported elsewhere). Returns undefined after reporting when the rule is invalid.
 */
export function checkRule(c: Checker, v: unknown, path: Path, owner: string, region: string | undefined, names: Names): Rule | undefined {
  const o = c.mapping(v, path, RULE_FIELDS, 'a rule ({ protocol, ports or icmp, from: { cidr } or { group }, description })');
  if (!o) return undefined;
  const before = c.count;
  let protocol: RuleProtocol | undefined = 'all';
  if (!absent(o.protocol)) {
    if (typeof o.protocol === 'string' && (PROTOCOL_NAMES as readonly string[]).includes(o.protocol)) {
      protocol = o.protocol as RuleProtocol;
    } else {
      const hint = typeof o.protocol === 'string' ? closest(o.protocol, PROTOCOL_NAMES) : undefined;
      c.error(
        [...path, 'protocol'],
        `unknown protocol ${describeValue(o.protocol)} (expected tcp, udp, icmp or all${hint && hint !== o.protocol ? `; did you mean ${hint}?` : ''})`,
      );
      protocol = undefined;
    }
  }
  let ports: PortRange | undefined;
  let icmp: IcmpMatch | undefined;
  const portsPath = [...path, 'ports'];
  const icmpPath = [...path, 'icmp'];
  if (!absent(o.ports)) {
    if (protocol === 'all') c.error(portsPath, 'protocol all takes no ports (it covers every protocol and port); remove ports or name a protocol');
    else if (protocol === 'icmp') c.error(portsPath, 'an icmp rule takes no ports (use icmp: { type, code } or "8:-1")');
    else {
      const p = parsePorts(o.ports);
      if (isProblem(p)) c.error(portsPath, p.error);
      else ports = p;
    }
  } else if (protocol === 'tcp' || protocol === 'udp') {
    c.error(portsPath, `a ${protocol} rule needs ports (e.g. 22, "8000-8080" or [8000, 8080]; 0-65535 for every port)`);
  }
  if (!absent(o.icmp)) {
    if (protocol === 'all') c.error(icmpPath, 'protocol all takes no icmp (it covers every icmp type and code); remove icmp or use protocol: icmp');
    else if (protocol === 'tcp' || protocol === 'udp') c.error(icmpPath, `a ${protocol} rule takes no icmp (icmp goes with protocol: icmp)`);
    else icmp = checkIcmpDoc(c, o.icmp, icmpPath);
  } else if (protocol === 'icmp') {
    icmp = { type: -1, code: -1 };
  }
  const source = checkSource(c, o.from, [...path, 'from'], owner, region, names);
  let description: string | undefined;
  if (!absent(o.description)) {
    if (typeof o.description === 'string') description = o.description;
    else c.error([...path, 'description'], `expected a description (a string), got ${describeValue(o.description)}`);
  }
  if (c.count > before || !protocol || !source) return undefined;
  return {
    protocol,
    ...(ports ? { ports } : {}),
    ...(icmp ? { icmp } : {}),
    source,
    ...(description !== undefined ? { description } : {}),
  };
}

function checkIcmpDoc(c: Checker, v: unknown, path: Path): IcmpMatch | undefined {
  if (typeof v === 'string') {
    const m = parseIcmpText(v);
    if (isProblem(m)) {
      c.error(path, m.error);
      return undefined;
    }
    return m;
  }
  const o = c.mapping(v, path, ICMP_FIELDS, 'an icmp match ({ type, code } or "type:code" such as "8:-1")');
  if (!o) return undefined;
  if (absent(o.type)) {
    c.error([...path, 'type'], 'type is required (an icmp type 0 to 255, or -1 for any)');
    return undefined;
  }
  const m = checkIcmp(o.type, absent(o.code) ? -1 : o.code);
  if (isProblem(m)) {
    const field = /^icmp code/.test(m.error) || (o.type === -1 && !absent(o.code)) ? 'code' : 'type';
    c.error([...path, field], m.error);
    return undefined;
  }
  return m;
}

function checkSource(c: Checker, v: unknown, path: Path, owner: string, region: string | undefined, names: Names): RuleSource | undefined {
  if (absent(v)) {
    c.error(path, 'from is required: { cidr: a.b.c.d/n } or { group: <name> }');
    return undefined;
  }
  const o = c.mapping(v, path, SOURCE_FIELDS, 'a source ({ cidr: a.b.c.d/n } or { group: <name> })');
  if (!o) return undefined;
  const hasCidr = !absent(o.cidr);
  const hasGroup = !absent(o.group);
  if (hasCidr === hasGroup) {
    if (Object.keys(o).every((k) => (SOURCE_FIELDS as readonly string[]).includes(k))) {
      c.error(path, hasCidr ? 'give cidr or group, not both (one rule has one source)' : 'give exactly one of cidr or group');
    }
    return undefined;
  }
  if (hasCidr) {
    if (typeof o.cidr !== 'string') {
      c.error([...path, 'cidr'], `expected a CIDR block (a.b.c.d/n), got ${describeValue(o.cidr)}`);
      return undefined;
    }
    const cidr = parseCidr(o.cidr.trim());
    if ('error' in cidr) {
      c.error([...path, 'cidr'], cidr.error);
      return undefined;
    }
    return { kind: 'cidr', cidr };
  }
  const key = resolveGroup(c, o.group, [...path, 'group'], region, `this rule's group ${owner}`, names);
  return key === undefined ? undefined : { kind: 'group', group: key };
}
