/**
 * Rooms and private messages over the simulated faulty link (docs/protocol.md §6.3): several rooms
 * and conversations at once, under loss, duplication, reordering and an outage; every stream is
 * delivered exactly once, in one order, to each of its members, and to nobody else.
 */
import { expect } from 'chai';
import { type SimClient, SimNetwork } from '../support/sim-network.js';

const SEED = Number(process.env.SIM_SEED ?? 20261203);

function streamId(c: SimClient, name: string): number {
  const s = c.core.streams.all.find((x) => x.name === name);
  if (s === undefined) throw new Error(`${c.name} is not in ${name}`);
  return s.roomId;
}

/** Every member of a stream saw the same lines, each once; per sender in the order said. */
function expectStream(members: SimClient[], roomId: number, total: number, senders: string[]): void {
  const reference = members[0]?.streamLines.get(roomId) ?? [];
  expect(reference, `stream ${roomId}`).to.have.length(total);
  expect(new Set(reference).size, 'no duplicates').to.equal(total);
  for (const m of members) expect(m.streamLines.get(roomId), `${m.name} in stream ${roomId}`).to.deep.equal(reference);
  const seqs = reference.map((l) => Number(l.split(' ')[0]));
  expect(seqs, 'in seq order').to.deep.equal([...seqs].sort((a, b) => a - b));
  for (const s of senders) {
    const mine = reference.filter((l) => l.includes(` ${s}: `)).map((l) => Number(l.split('#')[1]));
    expect(mine, `${s}'s order`).to.deep.equal([...mine].sort((a, b) => a - b));
  }
}

function setup(seed: number): { net: SimNetwork; ann: SimClient; bob: SimClient; cy: SimClient; a: number; b: number; pab: number; pac: number } {
  const net = new SimNetwork(seed, { rate: 1000, burst: 1000 });
  const [ann, bob, cy] = ['ann', 'bob', 'cy'].map((n) => net.addClient(n)) as [SimClient, SimClient, SimClient];
  net.run(1_000);
  ann.core.joinRoom('#a', net.now);
  bob.core.joinRoom('#a', net.now);
  bob.core.joinRoom('#b', net.now);
  cy.core.joinRoom('#b', net.now);
  ann.core.msg('bob', 'hello bob', {}, net.now);
  ann.core.msg('cy', 'hello cy', {}, net.now);
  net.run(2_000);
  return { net, ann, bob, cy, a: streamId(ann, '#a'), b: streamId(cy, '#b'), pab: streamId(ann, 'bob'), pac: streamId(ann, 'cy') };
}

describe(`rooms and private messages over a simulated link (seed ${SEED})`, () => {
  it('delivers two rooms and two conversations exactly once, in one order per stream, under 15% loss, duplication and reordering', () => {
    const { net, ann, bob, cy, a, b, pab, pac } = setup(SEED);
    net.faults = { loss: 0.15, duplicate: 0.1, reorder: 0.2, delayMin: 20, delayMax: 150, latency: 2 };
    const N = 40;
    for (let i = 0; i < N; i++) {
      ann.core.sayIn(a, `ann #${i}`, {}, net.now);
      bob.core.sayIn(a, `bob #${i}`, {}, net.now);
      bob.core.sayIn(b, `bob #${i}`, {}, net.now);
      cy.core.sayIn(b, `cy #${i}`, {}, net.now);
      bob.core.msg('ann', `bob #${i}`, {}, net.now);
      cy.core.msg('ann', `cy #${i}`, {}, net.now);
      ann.core.say(`ann #${i}`, net.now);
      net.run(25);
    }
    const done = (): boolean =>
      [ann, bob].every((c) => (c.streamLines.get(a)?.length ?? 0) >= 2 * N) &&
      [bob, cy].every((c) => (c.streamLines.get(b)?.length ?? 0) >= 2 * N) &&
      [ann, bob].every((c) => (c.streamLines.get(pab)?.length ?? 0) >= N + 1) &&
      [ann, cy].every((c) => (c.streamLines.get(pac)?.length ?? 0) >= N + 1) &&
      [ann, bob, cy].every((c) => c.lines.length >= N);
    net.run(120_000, done);
    net.faults = { loss: 0, duplicate: 0, reorder: 0, delayMin: 0, delayMax: 0, latency: 1 };
    net.run(3_000);
    expectStream([ann, bob], a, 2 * N, ['ann', 'bob']);
    expectStream([bob, cy], b, 2 * N, ['bob', 'cy']);
    expectStream([ann, bob], pab, N + 1, ['bob']);
    expectStream([ann, cy], pac, N + 1, ['cy']);
    // Nobody saw a stream it is not in.
    expect(cy.streamLines.has(a)).to.equal(false);
    expect(ann.streamLines.has(b)).to.equal(false);
    expect(bob.streamLines.has(pac)).to.equal(false);
    // Room 0 went on as before.
    expect(new Set([ann, bob, cy].map((c) => c.lines.join('\n'))).size).to.equal(1);
    expect(net.link.lost).to.be.greaterThan(100);
    expect(net.serverEvents.filter((e) => e.type === 'leave'), 'nobody evicted').to.be.empty;
  });

  it('repairs what a member of several streams missed during an outage, without a duplicate', () => {
    const { net, ann, bob, cy, a, b } = setup(SEED + 1);
    bob.cut = true;
    for (let i = 0; i < 20; i++) {
      ann.core.sayIn(a, `ann #${i}`, {}, net.now);
      cy.core.sayIn(b, `cy #${i}`, {}, net.now);
      net.run(50);
    }
    net.run(8_000);
    bob.cut = false;
    net.run(20_000, () => (bob.streamLines.get(a)?.length ?? 0) >= 20 && (bob.streamLines.get(b)?.length ?? 0) >= 20);
    net.run(2_000);
    expectStream([ann, bob], a, 20, ['ann']);
    expectStream([bob, cy], b, 20, ['cy']);
  });

  it('loses nothing of its rooms when its session timed out meanwhile: it joins again as the stream it was in, and repairs', () => {
    const { net, ann, bob, a } = setup(SEED + 3);
    ann.core.sayIn(a, 'ann #0', {}, net.now);
    net.run(500);
    bob.cut = true;
    for (let i = 1; i <= 10; i++) {
      ann.core.sayIn(a, `ann #${i}`, {}, net.now);
      net.run(4_000);
    }
    expect(net.serverEvents.some((e) => e.type === 'leave' && e.nick === 'bob'), 'bob was evicted').to.equal(true);
    bob.cut = false;
    net.run(30_000, () => (bob.streamLines.get(a)?.length ?? 0) >= 11);
    net.run(2_000);
    expect(bob.core.streams.get(a)?.name, 'the same stream').to.equal('#a');
    expectStream([ann, bob], a, 11, ['ann']);
    expect(bob.events.some((e) => e.type === 'notice' && /could not be recovered/.test(e.text))).to.equal(false);
    // What was said while bob was away is marked as missed (caught up on), not as live.
    const missed = bob.events.filter((e) => e.type === 'message' && e.roomId === a && e.missed === true).map((e) => e.type === 'message' && e.text);
    expect(missed.length, 'missed messages marked').to.be.at.least(5);
    expect(missed).to.not.include('ann #0');
  });

  it('finds a lost tail in a quiet stream (RSYNC, RSTATE) when the last datagrams of a burst were all lost', () => {
    const { net, ann, bob, a } = setup(SEED + 2);
    ann.core.sayIn(a, 'ann #0', {}, net.now);
    net.run(500);
    // Everything to bob is lost for a moment: the fan-out and both tail RSYNCs.
    net.faults = { loss: 0, duplicate: 0, reorder: 0, delayMin: 0, delayMax: 0, latency: 1 };
    bob.cut = true;
    ann.core.sayIn(a, 'ann #1', {}, net.now);
    net.run(1_500);
    bob.cut = false;
    net.run(15_000, () => (bob.streamLines.get(a)?.length ?? 0) >= 2);
    expectStream([ann, bob], a, 2, ['ann']);
  });
});
