/**
 * The diagram's graph: boxes and nodes from the world, the edges its rules allow, and a run's
 * flows laid over them.
 */
import { describe, expect, it } from 'vitest';
import { diagramOf } from '../../../src/analysis/diagram/index.ts';
import { runScenario } from '../../../src/index.ts';
import { specOf, WORLD } from './fixture.ts';

const spec = specOf(WORLD);
const edge = (d: ReturnType<typeof diagramOf>, from: string, to: string) => d.edges.filter((e) => e.from === from && e.to === to);

describe('diagramOf', () => {
  it('puts each instance in its region box and the outside hosts (and internet) outside', () => {
    const d = diagramOf(spec);
    expect(d.boxes.map((b) => [b.label, b.nodes])).toEqual([
      ['us-east-1', ['a1', 'a2', 'b1']],
      ['eu-west-1', ['eu']],
    ]);
    expect(d.loose).toEqual(['internet', 'admin', 'other']);
    expect(d.nodes.find((n) => n.id === 'a1')!.lines).toEqual(['private 10.0.0.1', 'public 54.0.0.1', 'groups: A']);
  });

  it('draws a group source as private edges from its members, merged both ways when the same', () => {
    const d = diagramOf(spec);
    expect(edge(d, 'a1', 'a2').concat(edge(d, 'a2', 'a1'))).toMatchObject([{ path: 'private', labels: ['all'], both: true, state: 'allowed' }]);
    expect(edge(d, 'b1', 'a1')).toMatchObject([{ path: 'private', labels: ['tcp 3306'] }]);
    expect(edge(d, 'a1', 'b1')).toEqual([]);
  });

  it('draws a CIDR source from the hosts inside it, and 0.0.0.0/0 once, from internet', () => {
    const d = diagramOf(spec);
    expect(edge(d, 'admin', 'a1')).toMatchObject([{ path: 'public', labels: ['tcp 22'] }]);
    expect(edge(d, 'other', 'a1')).toEqual([]);
    expect(edge(d, 'internet', 'a1')).toMatchObject([{ path: 'public', labels: ['tcp 443'] }]);
    expect(edge(d, 'eu', 'a1')).toEqual([]);
    expect(edge(d, 'internet', 'b1')).toEqual([]);
  });

  it("colours a run's flows by outcome, naming the flow and its code in the tooltip", () => {
    const d = diagramOf(spec, runScenario(spec).flows);
    expect(edge(d, 'b1', 'a1')).toMatchObject([{ state: 'connected', labels: ['tcp 3306'] }]);
    expect(edge(d, 'b1', 'a1')[0].tooltip).toContain('b-to-a: connect a1.private:3306 → connected (ALLOWED_BY_RULE)');
    expect(edge(d, 'other', 'a1')).toMatchObject([{ state: 'timeout' }]);
    expect(edge(d, 'other', 'a1')[0].tooltip).toContain('ENI_SG_RULES_MISMATCH');
    expect(edge(d, 'a2', 'a1').map((e) => e.state)).toEqual(['refused']);
    // The rule edges no flow took stay, as allowed.
    expect(edge(d, 'internet', 'a1')).toMatchObject([{ state: 'allowed' }]);
  });

  it('is the same graph every time', () => {
    expect(diagramOf(spec, runScenario(spec).flows)).toEqual(diagramOf(spec, runScenario(spec).flows));
  });
});
