/**
 * The fabric's fast-forward of denied connects (src/fabric/fast/fast-forward.ts), case by case: it applies
 * after the promised end of changes, with no trace, to connections nobody closes, and it then
 * runs 1 event where the connect would run 14 (its first SYN decided as it is sent, when
 * nothing can change any more; 2 when decided where it arrives) and leaves everything else as it was (flow
 * record, counters, the sender's conntrack entry, the reported event count). Each condition
 * that turns it off is shown to matter, or to keep the run as it would have been.
 * The differential property over random scenarios is test/props/fastforward.test.ts; the bugs
 * a review of it found are test/regressions/b9-b13. Also here: client sockets take segments
 * only from the address they talk to (found by the same review).
 */
import { describe, expect, it } from 'vitest';
import { Fabric, Simulator, runScenario, type FabricOptions, type TraceEvent } from '../../src/index.ts';
import { newFlow, type FlowRecord } from '../../src/fabric/flows.ts';
import { initialWorld } from '../../src/scenario/run.ts';
import { TCP } from '../../src/net/protocol.ts';
import { fabricWorld, loadSpec } from './fixtures.ts';

// a1 (group A) admits tcp/443 and everything from A; c1 (group C) admits nothing.
const WORLD = fabricWorld('fast-forward', {
  groups: '  C: { region: us-east-1, ingress: [] }\n',
  instances: '  c1: { region: us-east-1, zone: us-east-1a, groups: [C], services: [tcp/22], privateIp: 10.0.0.40, publicIp: 54.0.0.40 }\n',
});

function fabricOf(options: FabricOptions, trace: ((e: TraceEvent) => void) | null = null, extra = '') {
  const spec = loadSpec(`${WORLD}timeline: []\n`.replace('settings: { latency: { jitter: 0 } }', `settings: { latency: { jitter: 0 }${extra} }`));
  const sim = new Simulator({ seed: spec.seed });
  const fabric = new Fabric(sim, initialWorld(spec), spec.settings, trace, options);
  const id = (name: string) => fabric.hostId(name)!;
  const connect = (from: string, to: string, port: number, noLaterActions = true): { flow: FlowRecord; conn: ReturnType<Fabric['connect']> } => {
    const flow = newFlow(0, 'connect', 'tcp', from, sim.now);
    const conn = fabric.connect(flow, id(from), fabric.hosts[id(to)].privateIp, port, noLaterActions);
    return { flow, conn };
  };
  return { sim, fabric, id, connect };
}

describe('a connect denied after the last change', () => {
  it('is fast-forwarded: 1 event instead of 14 (its SYN decided as it is sent), the same record, counters and conntrack entry', () => {
    const runs = [{ changesEndNs: -1 }, {}].map((options) => {
      const f = fabricOf(options);
      const { flow, conn } = f.connect('a1', 'c1', 22);
      f.sim.run();
      const slot = f.fabric.conntrack.lookup(f.id('a1'), TCP, f.fabric.hosts[f.id('c1')].privateIp, conn!.localPort, 22, f.sim.now);
      return {
        events: f.sim.eventsRun,
        elided: f.sim.eventsElided,
        now: f.sim.now,
        stats: { ...f.fabric.stats },
        outcome: flow.outcome,
        code: flow.explanation?.code,
        resolvedAtNs: flow.resolvedAtNs,
        sent: flow.sent,
        deadline: slot >= 0 ? f.fabric.conntrack.deadlineOf(slot) : slot,
      };
    });
    const [ff, plain] = runs;
    expect(plain.events).toBe(14); // 7 SYN arrivals, 6 retransmission timers, the timeout
    expect(plain.elided).toBe(0);
    expect(ff.events).toBe(1); // the timeout (the first SYN was decided as it was sent)
    expect(ff.elided).toBe(13);
    expect({ ...ff, events: 0, elided: 0 }).toEqual({ ...plain, events: 0, elided: 0 });
    expect(ff.outcome).toBe('timeout');
    expect(ff.code).toBe('SG_HAS_NO_RULES');
    expect(ff.resolvedAtNs).toBe(127e9);
    expect(ff.stats).toMatchObject({ packets: 7, drops: 7, delivered: 0 });
    expect(ff.sent).toBe(7);
    expect(ff.deadline).toBe(63e9 + 120e9); // the last SYN at 63 s, then the 120 s handshake timeout
  });

  it('lets a later connect from the same local port, to the same destination, take the port over as it would have (the first connect holds no socket meanwhile)', () => {
    // a1 connects to c1:22 at 0 s (denied), then again at 5 s from the same local port (as
    // after a wrap of its ephemeral ports). Without fast-forward, the second takes the socket
    // over and both connections' SYNs refresh one conntrack entry of a1 (last at 68 s).
    const runs = [{ changesEndNs: -1 }, {}].map((options) => {
      const f = fabricOf(options);
      const first = f.connect('a1', 'c1', 22);
      let second: ReturnType<typeof f.connect> | null = null;
      f.sim.at(5e9, () => {
        f.fabric.setNextPort(f.id('a1'), first.conn!.localPort);
        second = f.connect('a1', 'c1', 22);
      });
      f.sim.run();
      const slot = f.fabric.conntrack.lookup(f.id('a1'), TCP, f.fabric.hosts[f.id('c1')].privateIp, first.conn!.localPort, 22, 70e9);
      const record = (x: { flow: FlowRecord }) => ({ outcome: x.flow.outcome, at: x.flow.resolvedAtNs, sent: x.flow.sent, code: x.flow.explanation?.code });
      return {
        first: record(first),
        second: record(second!),
        samePort: second!.conn!.localPort === first.conn!.localPort,
        deadline: f.fabric.conntrack.deadlineOf(slot),
        stats: { ...f.fabric.stats },
        events: f.sim.eventsRun + f.sim.eventsElided,
        elided: f.sim.eventsElided,
        now: f.sim.now,
      };
    });
    const [ff, plain] = runs;
    expect(ff.elided).toBe(26);
    expect({ ...ff, elided: 0 }).toEqual({ ...plain, elided: 0 });
    expect(ff.samePort).toBe(true);
    expect(ff.deadline).toBe(68e9 + 120e9);
    expect(ff.second).toEqual({ outcome: 'timeout', at: 132e9, sent: 7, code: 'SG_HAS_NO_RULES' });
  });

  it.each([
    ['1 us apart (more than the landings table first holds)', 1000],
    ['all at one instant (3,000 SYNs in flight and 3,000 timers pending at once: more than the packet pool and the timer table first hold)', 0],
  ])('leaves the same records, counters, conntrack entries and no endpoint open, with thousands of denied connects in flight at once: %s', (_, spacingNs) => {
    const runs = [{ changesEndNs: -1 }, {}].map((options) => {
      const f = fabricOf(options);
      const connects: { flow: FlowRecord; conn: ReturnType<Fabric['connect']> }[] = [];
      for (let k = 0; k < 3000; k++) f.sim.at(k * spacingNs, () => connects.push(f.connect(k % 2 ? 'a1' : 'a2', 'c1', 22)));
      f.sim.run();
      const c1 = f.fabric.hosts[f.id('c1')].privateIp;
      return {
        records: connects.map(({ flow, conn }) => {
          const slot = f.fabric.conntrack.lookup(conn!.host, TCP, c1, conn!.localPort, 22, 0);
          return [flow.outcome, flow.resolvedAtNs, flow.sent, slot >= 0 ? f.fabric.conntrack.deadlineOf(slot) : slot];
        }),
        stats: { ...f.fabric.stats },
        events: f.sim.eventsRun + f.sim.eventsElided,
        elided: f.sim.eventsElided,
        now: f.sim.now,
        open: f.fabric.openEndpoints,
      };
    });
    const [ff, plain] = runs;
    expect(ff.elided).toBe(3000 * 13);
    expect({ ...ff, elided: 0 }).toEqual({ ...plain, elided: 0 });
    expect(ff.open).toBe(0);
  });

  it('waits for its timeout in a line of its own, not in the event heap (3,000 timeouts pending, 1 event)', () => {
    const f = fabricOf({ changesEndNs: -1 });
    const flows: FlowRecord[] = [];
    for (let k = 0; k < 3000; k++) f.sim.at(k * 1000, () => flows.push(f.connect(k % 2 ? 'a1' : 'a2', 'c1', 22).flow));
    // Every first SYN has arrived and been denied; no first timer (1 s) is due yet.
    f.sim.run(0.9e9);
    expect(flows.length).toBe(3000);
    expect(f.sim.live).toBe(1); // the earliest timeout; the others wait behind it
    f.sim.run();
    expect(flows.every((fl) => fl.outcome === 'timeout')).toBe(true);
    expect(new Set(flows.map((fl) => fl.resolvedAtNs)).size).toBe(3000);
    expect(f.sim.eventsRun).toBe(3000 * 2); // the connect and its timeout (its SYN decided as it was sent)
  });

  it('gives up the place held for its timeout when the connect is answered (nothing left pending, no extra event)', () => {
    const runs = [{ changesEndNs: -1 }, {}].map((options) => {
      const f = fabricOf(options);
      const { flow } = f.connect('a2', 'a1', 443); // admitted: A admits all from A
      f.sim.run();
      return { outcome: flow.outcome, events: f.sim.eventsRun, live: f.sim.live, now: f.sim.now };
    });
    expect(runs[0].outcome).toBe('connected');
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[0].live).toBe(0);
  });

  it('leaves no pile of given-up places in the event queue (20,000 connects answered over 2 s)', () => {
    // Found by review: each answered connect gave up its place while that place was the one in
    // the event heap, leaving a cancelled event there until the place's time, 127 s on: the
    // queue grew by one event per connect. Cancelled events are now compacted away.
    const f = fabricOf({ changesEndNs: -1 });
    let peak = 0;
    let k = 0;
    const flows: FlowRecord[] = [];
    const next = () => {
      flows.push(f.connect('a2', 'a1', 443).flow);
      if (++k < 20_000) f.sim.schedule(100_000, next);
      peak = Math.max(peak, f.sim.pending);
    };
    f.sim.at(0, next);
    f.sim.run();
    expect(flows.every((fl) => fl.outcome === 'connected')).toBe(true);
    expect(peak).toBeLessThan(2_000);
    expect(f.sim.pending).toBe(0);
  });

  it('leaves the conntrack table of a sender outside AWS empty, as sending would', () => {
    const sizes = [{ changesEndNs: -1 }, {}].map((options) => {
      const f = fabricOf(options);
      const flow = newFlow(0, 'connect', 'tcp', 'ext', 0);
      f.fabric.connect(flow, f.id('ext'), f.fabric.hosts[f.id('c1')].publicIp, 22, true);
      f.sim.run();
      return { size: f.fabric.conntrack.size, elided: f.sim.eventsElided, outcome: flow.outcome, packets: f.fabric.stats.packets };
    });
    expect(sizes[0].elided).toBe(13);
    expect(sizes[0]).toEqual({ ...sizes[1], elided: 13 });
    expect(sizes[1].size).toBe(0);
  });

  it('is not fast-forwarded when traced (the trace shows every retransmission)', () => {
    const events: TraceEvent[] = [];
    const f = fabricOf({ changesEndNs: -1 }, (e) => events.push(e));
    f.connect('a1', 'c1', 22);
    f.sim.run();
    expect(f.sim.eventsRun).toBe(14);
    expect(events.filter((e) => e.ev === 'drop')).toHaveLength(7);
  });

  it('is not fast-forwarded before the promised end of changes, nor while a rule change propagates', () => {
    const early = fabricOf({ changesEndNs: 10e9 });
    early.connect('a1', 'c1', 22);
    early.sim.run();
    // the SYNs at 0, 1, 3 and 7 s arrive before the end of changes; the one sent at 15 s is the first after it
    expect(early.sim.eventsElided).toBe(2 * 2);

    // a change at 0 s (the promised end) that takes effect at 10 s: the SYN sent at 15 s is the
    // first to arrive with nothing propagating, so the ones at 31 and 63 s are fast-forwarded
    const f = fabricOf({ changesEndNs: 0 }, null, ', propagationDelay: 10s');
    f.fabric.applyChange({ kind: 'authorize', group: 'A', rule: { protocol: 'udp', ports: { from: 9, to: 9 }, source: { kind: 'cidr', cidr: { base: 0, prefix: 0 } } } });
    f.sim.at(1, () => f.connect('a1', 'c1', 22));
    f.sim.run();
    expect(f.sim.eventsElided).toBe(2 * 2);
    expect(f.fabric.stats).toMatchObject({ packets: 7, drops: 7 });
  });

  it('is not fast-forwarded for a connection the caller may close, and a close then stops the retransmissions', () => {
    const f = fabricOf({ changesEndNs: -1 });
    const { flow, conn } = f.connect('a1', 'c1', 22, false);
    f.sim.at(5e9, () => f.fabric.close(conn));
    f.sim.run();
    expect(f.sim.eventsElided).toBe(0);
    // SYNs at 0, 1 and 3 s; closed at 5 s
    expect(f.fabric.stats.packets).toBe(3);
    expect(flow.sent).toBe(3);
  });

  it("is not fast-forwarded when the sender's conntrack entry would idle out between retransmissions", () => {
    // (each retransmission would revive it; the fast-forward only replays entries that stay alive)
    const f = fabricOf({ changesEndNs: -1 }, null, ', conntrack: { tcpHandshake: 10s }');
    f.connect('a1', 'c1', 22);
    f.sim.run(1e9 - 1);
    expect(f.sim.live).toBe(2); // its first timer, and the place held for a fast-forward
    f.sim.run(1e9);
    expect(f.sim.live).toBe(2); // the first timer ran and gave the place up: the next timer, the SYN it sent
    f.sim.run();
    expect(f.sim.eventsElided).toBe(0);
    expect(f.sim.eventsRun).toBe(14); // as without the fast-forward: nothing more ran
    expect(f.fabric.stats).toMatchObject({ packets: 7, drops: 7 });
  });

  it('is not fast-forwarded when the last retransmission could arrive after the timeout', () => {
    // RTOs 0.1, 0.2, 0.4, 0.8 s (SYNs at 0, 0.1, 0.3, 0.7 s, timeout at 1.5 s) and 0.35-1.05 s
    // of latency: the SYN of 0.7 s may land after the timeout, and the run ends with it.
    const yaml = `${WORLD}timeline:\n  - { at: 0s, connect: { from: a1, to: c1.private, port: 22 } }\n`.replace(
      'settings: { latency: { jitter: 0 } }',
      'settings: { latency: { sameZone: 700ms, jitter: 0.5 }, tcp: { synRetries: 3, initialRto: 100ms } }',
    );
    const spec = loadSpec(yaml);
    let late = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const on = runScenario(spec, { seed: String(seed) });
      const off = runScenario(spec, { seed: String(seed), fastForward: false });
      expect(JSON.stringify(on)).toBe(JSON.stringify(off));
      if (off.stats.simulatedMs > 1500) late++;
    }
    expect(late).toBeGreaterThan(0); // some runs do end with a SYN that came after the timeout
  });

  it('throws when a change comes after the promised end (a bug of the caller)', () => {
    const f = fabricOf({ changesEndNs: 1e9 });
    f.sim.at(2e9, () => f.fabric.applyChange({ kind: 'stop', instance: 'c1' }));
    expect(() => f.sim.run()).toThrow(/after the promised end of changes/);
  });
});

describe("a connect's first SYN decided as it is sent (nothing can change any more)", () => {
  it('is decided where it arrives when the receiver tracks its tuple: an earlier connection from the same port, admitted before a revoke, lets it in', () => {
    // eu connects to a1:443 (admitted by A's tcp/443 from anywhere) and stays connected; at 1 s
    // that rule is revoked (the last change); at 2 s eu connects to a1:443 again from the same
    // local port. a1's conntrack still tracks that tuple, so the SYN comes in as tracked and
    // the connect succeeds: with the promise of no more changes as without it.
    const runs = [{ changesEndNs: 1e9 }, {}].map((options) => {
      const f = fabricOf(options);
      const first = f.connect('eu', 'a1', 443);
      let second: ReturnType<typeof f.connect> | null = null;
      f.sim.at(1e9, () => f.fabric.applyChange({ kind: 'revoke', group: 'A', rule: { protocol: 'tcp', ports: { from: 443, to: 443 }, source: { kind: 'cidr', cidr: { base: 0, prefix: 0 } } } }));
      f.sim.at(2e9, () => {
        f.fabric.setNextPort(f.id('eu'), first.conn!.localPort);
        second = f.connect('eu', 'a1', 443);
      });
      f.sim.run();
      const record = (x: { flow: FlowRecord }) => ({ outcome: x.flow.outcome, at: x.flow.resolvedAtNs, code: x.flow.explanation?.code });
      return { first: record(first), second: record(second!), stats: { ...f.fabric.stats }, events: f.sim.eventsRun + f.sim.eventsElided, now: f.sim.now };
    });
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[0].first.outcome).toBe('connected');
    expect(runs[0].second).toMatchObject({ outcome: 'connected', code: 'TRACKED_CONNECTION' });
  });

  it('takes its local port over from a connection that held it, as its socket would have (and then gives it up)', () => {
    // a2 is connected to a1:443 from port P; c1 is denied, so a2's connect to c1:22 from P
    // (after a wrap) is decided as it is sent. The connection to a1 no longer holds P: a
    // transfer on it is refused, with fast-forward as without (regressions/b14 in a scenario).
    const runs = [{ changesEndNs: -1 }, {}].map((options) => {
      const f = fabricOf(options);
      const first = f.connect('a2', 'a1', 443, false);
      const transfer = newFlow(2, 'transfer', 'tcp', 'a2', 0);
      f.sim.at(1e9, () => {
        f.fabric.setNextPort(f.id('a2'), first.conn!.localPort);
        f.connect('a2', 'c1', 22);
      });
      f.sim.at(2e9, () => f.fabric.transfer(transfer, first.conn));
      f.sim.run();
      return { first: first.flow.outcome, transfer: [transfer.outcome, transfer.explanation?.code], open: f.fabric.openEndpoints, elided: f.sim.eventsElided };
    });
    expect(runs[0].elided).toBe(13);
    expect({ ...runs[0], elided: 0 }).toEqual({ ...runs[1], elided: 0 });
    expect(runs[0].transfer).toEqual(['dropped', 'CONNECTION_NOT_OPEN']);
  });
});

describe('connectDetached', () => {
  it('is connect with noLaterActions and no handle: the same records, counters, events and conntrack entries, denied and admitted, settled or not', () => {
    for (const options of [{ changesEndNs: -1 }, {}]) {
      const runs = ['connect', 'connectDetached'].map((how) => {
        const f = fabricOf(options);
        const flows: FlowRecord[] = [];
        for (let k = 0; k < 200; k++) {
          f.sim.at(k * 1000, () => {
            const [from, to, port] = k % 3 === 0 ? ['a2', 'a1', 443] : ['a1', 'c1', 22];
            const flow = newFlow(k, 'connect', 'tcp', from, f.sim.now);
            flows.push(flow);
            const dst = f.fabric.hosts[f.id(to)].privateIp;
            const got = how === 'connect' ? f.fabric.connect(flow, f.id(from), dst, port, true) : f.fabric.connectDetached(flow, f.id(from), dst, port);
            if (how === 'connectDetached') expect(got).toBeUndefined();
          });
        }
        f.sim.run();
        return {
          records: flows.map((fl) => [fl.outcome, fl.resolvedAtNs, fl.sent, fl.explanation?.code, fl.explanation?.message]),
          stats: { ...f.fabric.stats },
          events: [f.sim.eventsRun, f.sim.eventsElided],
          conntrack: f.fabric.conntrack.size,
          open: f.fabric.openEndpoints,
        };
      });
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[0].records.filter((r) => r[0] === 'connected')).toHaveLength(67);
    }
  });
});

describe('client sockets', () => {
  it('take segments only from the address they talk to (a SYN-ACK for another connect on the same port is not theirs)', () => {
    // c1 connects to a1:443, then, from the same local port, to a2:443, whose socket replaces
    // the first before a1's SYN-ACK comes back (same zone: 200 us). a2 has no service on 443:
    // it answers RST (cross-zone: 1 ms). a1's SYN-ACK must not connect the connect to a2.
    const f = fabricOf({});
    const c1 = f.id('c1');
    const first = f.connect('c1', 'a1', 443);
    f.fabric.setNextPort(c1, first.conn!.localPort);
    const second = f.connect('c1', 'a2', 443);
    f.sim.run();
    expect(second.flow.outcome).toBe('refused');
    expect(second.flow.explanation?.code).toBe('CONNECTION_REFUSED');
  });
});

describe('a connect to an ephemeral port', () => {
  it('is not fast-forwarded: the receiver may answer on the same tuple from a client socket of its own', () => {
    // c1 connects to a1:40000 (a1 has no such rule: denied). Then a1 opens a connection from
    // local port 40000 to c1's port of that connect: its SYN is tracked at a1, so c1's next
    // retransmission comes back in as part of that tracked flow instead of being dropped.
    const results = [{ changesEndNs: -1 }, {}].map((options) => {
      const f = fabricOf(options);
      const { conn } = f.connect('c1', 'a1', 40000);
      f.sim.at(2e9, () => {
        f.fabric.setNextPort(f.id('a1'), 40000);
        f.connect('a1', 'c1', conn!.localPort);
      });
      f.sim.run();
      return { drops: f.fabric.stats.drops, delivered: f.fabric.stats.delivered, packets: f.fabric.stats.packets, elided: f.sim.eventsElided };
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[0].delivered).toBeGreaterThan(0);
  });
});

describe('runScenario', () => {
  it('reports the events of the model, fast-forwarded or not', () => {
    const yaml = `${WORLD}timeline:\n  - { at: 0s, connect: { from: a1, to: c1.private, port: 22 } }\n  - { at: 1s, id: x, connect: { from: a1, to: c1.private, port: 22 } }\n  - { at: 2s, close: x }\n`;
    const spec = loadSpec(yaml);
    const on = runScenario(spec);
    const off = runScenario(spec, { fastForward: false });
    expect(JSON.stringify(on)).toBe(JSON.stringify(off));
    // the first connect: its entry, 7 arrivals, 6 timers, the timeout; the closed one: its entry,
    // one arrival, the close (at 2 s, before the retransmission timer of the same time)
    expect(on.stats.events).toBe(15 + 3);
    expect(on.stats.packets).toBe(7 + 1);
  });

  it('makes the promise from the timeline: the time of its last change', async () => {
    const { changesEnd } = await import('../../src/scenario/run.ts');
    const spec = loadSpec(
      `${WORLD}timeline:\n  - { at: 1s, connect: { from: a1, to: c1.private, port: 22 } }\n  - { at: 2s, revoke: { group: A, rule: { protocol: tcp, ports: 443, from: { cidr: 0.0.0.0/0 } } } }\n  - { at: 3s, stop: c1 }\n  - { at: 4s, start: c1 }\n  - { at: 99s, ping: { from: a1, to: c1.private }, repeat: { every: 1s, count: 3 } }\n`,
    );
    expect(changesEnd(spec)).toEqual({ changesEndNs: 4e9 });
    expect(changesEnd(loadSpec(`${WORLD}timeline:\n  - { at: 1s, connect: { from: a1, to: c1.private, port: 22 } }\n`))).toEqual({ changesEndNs: -1 });
  });
});
