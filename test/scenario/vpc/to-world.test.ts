/**
 * test/scenario/vpc/to-world: every valid `platform: vpc` fixture becomes a VPC world the model
 * accepts, and every configuration action of its timeline applies in order without a domain
 * error (the loader and the model agree on what a valid world and change are); the two-tier
 * example's world reads as the format says.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validateVpcScenario } from '../../../src/scenario/vpc/validate.ts';
import { changeOf, worldInputOf } from '../../../src/scenario/vpc/to-world.ts';
import { createVpcWorld } from '../../../src/model/vpc/build.ts';
import { applyVpcChange } from '../../../src/model/vpc/changes.ts';
import { getInterface, networkAclOfSubnet, routeTableOfSubnet } from '../../../src/model/vpc/world.ts';
import { lookupRouteFromSubnet } from '../../../src/model/vpc/routes.ts';
import { parseIp } from '../../../src/net/ipv4.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'valid');
const load = (file: string) => {
  const r = validateVpcScenario(parse(readFileSync(join(FIXTURES, file), 'utf8')), file);
  if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.diagnostics)}`);
  return r.spec;
};
const ip = (t: string): number => parseIp(t) as number;

describe('valid scenarios as VPC worlds', () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'))) {
    it(`${file}: builds, and its timeline's changes apply in order`, () => {
      const spec = load(file);
      let world = createVpcWorld(worldInputOf(spec));
      for (const entry of spec.timeline) {
        const change = changeOf(entry.action);
        if (change !== null) world = applyVpcChange(world, change);
      }
      expect(Object.keys(world.vpcs).sort()).toEqual(spec.vpcs.map((v) => v.name).sort());
    });
  }

  it('two-tier.yaml: tables, NACLs and addresses as the format says', () => {
    const spec = load('two-tier.yaml');
    const world = createVpcWorld(worldInputOf(spec));
    for (const s of spec.subnets) {
      expect(routeTableOfSubnet(world, s.name).id).toBe(s.routeTable);
      expect(networkAclOfSubnet(world, s.name).id).toBe(s.networkAcl);
    }
    const web = spec.instances.find((i) => i.name === 'web');
    if (web !== undefined) {
      const eni = getInterface(world, web.interfaces[0].name)!;
      expect(eni.addresses[0].privateIp).toBe(web.interfaces[0].privateIp ?? eni.addresses[0].privateIp);
    }
    const publicSubnet = spec.subnets.find((s) => s.name === 'public-a');
    if (publicSubnet !== undefined) expect(lookupRouteFromSubnet(world, 'public-a', ip('8.8.8.8'))).toMatchObject({ kind: 'route', route: { target: { kind: 'igw' } } });
  });
});
