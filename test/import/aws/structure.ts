/**
 * test helper: a minimal structural check of an imported `platform: vpc` document, until the
 * scenario/vpc validator is there to run instead: every reference resolves to a section entry
 * (or is a blackhole / stale reference, which may name what is gone), names are unique across
 * sections but groups, and the fields the importer writes have their types.
 */
import type { VpcScenarioDocument } from '../../../src/index.ts';

export function structuralProblems(doc: VpcScenarioDocument): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  need(doc.version === 1 && doc.platform === 'vpc' && typeof doc.name === 'string', 'header');
  const sections = {
    vpcs: doc.vpcs,
    subnets: doc.subnets ?? {},
    internetGateways: doc.internetGateways ?? {},
    natGateways: doc.natGateways ?? {},
    vpnGateways: doc.vpnGateways ?? {},
    prefixLists: doc.prefixLists ?? {},
    peerings: doc.peerings ?? {},
    transitGateways: doc.transitGateways ?? {},
    routeTables: doc.routeTables ?? {},
    networkAcls: doc.networkAcls ?? {},
    instances: doc.instances ?? {},
  };
  const names = new Map<string, string>();
  for (const [section, entries] of Object.entries(sections)) {
    for (const name of Object.keys(entries)) {
      need(!names.has(name), `${section}.${name}: also a name in ${names.get(name)}`);
      names.set(name, section);
    }
  }
  const groups = doc.groups ?? {};
  const cidr = /^\d+\.\d+\.\d+\.\d+\/\d+$/;
  for (const [id, v] of Object.entries(doc.vpcs)) {
    need(typeof v.region === 'string', `vpcs.${id}.region`);
    const blocks = Array.isArray(v.cidr) ? v.cidr : [v.cidr];
    need(blocks.length > 0 && blocks.every((b) => cidr.test(b)), `vpcs.${id}.cidr`);
  }
  for (const [id, s] of Object.entries(sections.subnets)) need(s.vpc in doc.vpcs && cidr.test(s.cidr) && typeof s.zone === 'string', `subnets.${id}`);
  for (const [id, g] of Object.entries(sections.internetGateways)) need(g.vpc in doc.vpcs, `internetGateways.${id}.vpc`);
  for (const [id, g] of Object.entries(sections.vpnGateways)) need(g.vpc in doc.vpcs, `vpnGateways.${id}.vpc`);
  for (const [id, g] of Object.entries(sections.natGateways)) need(g.subnet in sections.subnets, `natGateways.${id}.subnet`);
  for (const [id, p] of Object.entries(sections.peerings)) need(p.requester in doc.vpcs && p.accepter in doc.vpcs, `peerings.${id}`);
  const targets = new Set([
    ...Object.keys(sections.internetGateways),
    ...Object.keys(sections.natGateways),
    ...Object.keys(sections.vpnGateways),
    ...Object.keys(sections.peerings),
    ...Object.keys(sections.transitGateways),
    ...Object.keys(sections.instances),
    ...Object.values(sections.instances).flatMap((i) => (i.interfaces ?? []).map((e) => e.name)),
  ]);
  for (const [id, t] of Object.entries(sections.routeTables)) {
    need(t.vpc in doc.vpcs, `routeTables.${id}.vpc`);
    for (const s of t.subnets ?? []) need(s in sections.subnets, `routeTables.${id}.subnets ${s}`);
    t.routes.forEach((r, k) => {
      need(cidr.test(r.destination) || r.destination in sections.prefixLists, `routeTables.${id}.routes[${k}].destination`);
      need(r.state === 'blackhole' || targets.has(r.target), `routeTables.${id}.routes[${k}].target ${r.target}`);
    });
  }
  for (const [id, a] of Object.entries(sections.networkAcls)) {
    need(a.vpc in doc.vpcs, `networkAcls.${id}.vpc`);
    for (const s of a.subnets ?? []) need(s in sections.subnets, `networkAcls.${id}.subnets ${s}`);
    for (const side of [a.ingress, a.egress]) {
      const numbers = side.map((e) => e.number);
      need(numbers.every((n, k) => n >= 1 && n <= 32766 && (k === 0 || n > numbers[k - 1])), `networkAcls.${id}: entry numbers 1-32766, sorted, unique`);
    }
  }
  for (const [id, g] of Object.entries(groups)) {
    need(g.vpc in doc.vpcs, `groups.${id}.vpc`);
    for (const r of [...g.ingress.map((x) => x.from), ...g.egress.map((x) => x.to)]) {
      if (r === undefined) problems.push(`groups.${id}: a rule without its peer`);
      else if ('group' in r) need(r.stale === true || r.group in groups, `groups.${id}: group ${r.group}`);
      else if ('prefixList' in r) need(r.prefixList in sections.prefixLists, `groups.${id}: prefix list ${r.prefixList}`);
      else need(cidr.test(r.cidr), `groups.${id}: cidr ${r.cidr}`);
    }
  }
  for (const [id, i] of Object.entries(sections.instances)) {
    const ifaces = i.interfaces ?? [i];
    need(ifaces.length > 0, `instances.${id}: no interface`);
    for (const f of ifaces) {
      need(typeof f.subnet === 'string' && f.subnet in sections.subnets, `instances.${id}.subnet ${f.subnet}`);
      need(f.privateIp === undefined || typeof f.privateIp === 'string', `instances.${id}.privateIp`);
      for (const g of f.groups ?? []) need(g in groups, `instances.${id}.groups ${g}`);
    }
  }
  for (const [id, t] of Object.entries(sections.transitGateways)) {
    for (const [aid, a] of Object.entries(t.attachments)) {
      if ('vpc' in a) need(a.vpc in doc.vpcs && a.subnets.every((s) => s in sections.subnets), `transitGateways.${id}.attachments.${aid}`);
      else need(a.peer in sections.transitGateways, `transitGateways.${id}.attachments.${aid}.peer`);
      if (a.routeTable !== undefined) need(a.routeTable in t.routeTables, `transitGateways.${id}.attachments.${aid}.routeTable`);
    }
    for (const [rid, r] of Object.entries(t.routeTables)) {
      for (const route of r.routes) need(route.blackhole === true || (route.attachment !== undefined && route.attachment in t.attachments), `transitGateways.${id}.routeTables.${rid}`);
    }
  }
  return problems;
}
