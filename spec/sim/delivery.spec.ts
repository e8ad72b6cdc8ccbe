/**
 * Client and server cores over an in-memory faulty link with a fake clock: the TESTING.md
 * invariants (exactly once, same order, nothing invented) under loss, duplication, reordering,
 * outages and restarts. Seeds are printed on failure through the test titles.
 */
import { expect } from 'chai';
import { type SimClient, SimNetwork } from '../support/sim-network.js';

const SEED = Number(process.env.SIM_SEED ?? 20261124);

function sayAll(net: SimNetwork, clients: SimClient[], count: number, spacingMs: number): void {
  for (let i = 0; i < count; i++) {
    for (const c of clients) c.core.say(`${c.name} #${i}`, net.now);
    net.run(spacingMs);
  }
}

/** Every client saw every message exactly once, all in the same order. */
function expectSameOrder(clients: SimClient[], total: number): void {
  const reference = clients[0]?.lines ?? [];
  expect(reference).to.have.length(total);
  expect(new Set(reference).size, 'no duplicates').to.equal(total);
  for (const c of clients) expect(c.lines, `${c.name} sees the same sequence`).to.deep.equal(reference);
}

/** Per sender, messages appear in the order they were said. */
function expectSenderOrder(lines: string[], sender: string, count: number): void {
  const mine = lines.filter((l) => l.includes(` ${sender}: `)).map((l) => Number(l.split('#')[1]));
  expect(mine).to.deep.equal(Array.from({ length: count }, (_, i) => i));
}

describe(`client and server cores over a simulated link (seed ${SEED})`, () => {
  it('delivers 3 × 200 messages without faults in one order, with no retransmission', () => {
    const net = new SimNetwork(SEED, { rate: 1000, burst: 1000 });
    const clients = ['ann', 'bob', 'cat'].map((n) => net.addClient(n));
    net.run(1_000);
    sayAll(net, clients, 200, 5);
    net.runUntilDelivered(600, 10_000);
    expectSameOrder(clients, 600);
    for (const c of clients) expect(c.core.sender.outbox.retransmissions, `${c.name} retransmissions`).to.equal(0);
  });

  it('delivers 3 × 200 messages exactly once, in one order, at 20% loss both ways', () => {
    const net = new SimNetwork(SEED + 1, { rate: 1000, burst: 1000 });
    const clients = ['ann', 'bob', 'cat'].map((n) => net.addClient(n));
    net.run(1_000);
    net.faults = { loss: 0.2, duplicate: 0, reorder: 0, delayMin: 0, delayMax: 0, latency: 2 };
    sayAll(net, clients, 200, 10);
    net.runUntilDelivered(600, 60_000);
    expectSameOrder(clients, 600);
    for (const c of clients) expectSenderOrder(clients[0]?.lines ?? [], c.name, 200);
    expect(net.serverEvents.filter((e) => e.type === 'leave'), 'nobody evicted').to.be.empty;
    expect(net.link.lost).to.be.greaterThan(100);
  });

  it('shows every message once despite 10% duplication, 5% loss and 25% reordering', () => {
    const net = new SimNetwork(SEED + 2, { rate: 1000, burst: 1000 });
    const clients = ['ann', 'bob', 'cat'].map((n) => net.addClient(n));
    net.run(1_000);
    net.faults = { loss: 0.05, duplicate: 0.1, reorder: 0.25, delayMin: 50, delayMax: 200, latency: 2 };
    sayAll(net, clients, 100, 7);
    net.runUntilDelivered(300, 60_000);
    expectSameOrder(clients, 300);
    expect(net.link.duplicated).to.be.greaterThan(20);
    expect(net.link.delayed).to.be.greaterThan(20);
  });

  it('repairs a lost last message through the heartbeat and the tail SYNC', () => {
    const net = new SimNetwork(SEED + 3);
    const [ann, bob] = [net.addClient('ann'), net.addClient('bob')] as [SimClient, SimClient];
    net.run(1_000);
    bob.cut = true;
    ann.core.say('only message', net.now);
    net.run(50);
    bob.cut = false;
    net.run(10_000);
    expect(bob.lines).to.deep.equal(ann.lines);
    expect(bob.lines).to.have.length(1);
  });

  it('lets a client that stalled during a burst catch up quickly, in order', () => {
    const net = new SimNetwork(SEED + 10, { rate: 100_000, burst: 100_000 });
    const [ann, bob] = [net.addClient('ann'), net.addClient('bob')] as [SimClient, SimClient];
    net.run(1_000);
    bob.cut = true;
    for (let i = 0; i < 3_000; i++) ann.core.say(`ann #${i}`, net.now);
    net.run(3_000);
    expect(ann.lines).to.have.length(3_000);
    bob.cut = false;
    ann.core.say('after the stall', net.now);
    const resumed = net.now;
    net.runUntilDelivered(3_001, 30_000);
    expect(bob.lines).to.deep.equal(ann.lines);
    // Repair asks again one round trip after each answer that made progress, not one RTO later.
    console.log(`      caught up in ${Math.round(net.now - resumed)} simulated ms`);
    expect(net.now - resumed, 'catch-up time').to.be.lessThan(300);
    expect(net.serverEvents.filter((e) => e.type === 'leave')).to.be.empty;
  });

  it('joins and delivers everything over a 750 ms one-way delay, with the RTT estimate adapting', () => {
    const net = new SimNetwork(SEED + 11, { rate: 1000, burst: 1000 });
    net.faults = { loss: 0.05, duplicate: 0, reorder: 0, delayMin: 0, delayMax: 0, latency: 750 };
    const [ann, bob] = [net.addClient('ann'), net.addClient('bob')] as [SimClient, SimClient];
    net.run(8_000);
    expect(ann.events.some((e) => e.type === 'joined')).to.equal(true);
    expect(bob.events.some((e) => e.type === 'joined')).to.equal(true);
    sayAll(net, [ann, bob], 20, 100);
    net.runUntilDelivered(40, 60_000);
    expectSameOrder([ann, bob], 40);
    for (const c of [ann, bob]) expect(c.core.rtt.srtt, `${c.name} SRTT`).to.be.within(1_400, 1_700);
    expect(net.serverEvents.filter((e) => e.type === 'leave')).to.be.empty;
  });

  it('survives a blackhole 5 s on / 2 s off, repeated: no eviction, no retransmission storm', () => {
    const net = new SimNetwork(SEED + 12, { rate: 1000, burst: 1000 });
    const clients = ['ann', 'bob', 'cat'].map((n) => net.addClient(n));
    net.run(1_000);
    let said = 0;
    for (let cycle = 0; cycle < 5; cycle++) {
      for (const c of clients) c.cut = true;
      for (let t = 0; t < 5; t++) {
        for (const c of clients) c.core.say(`${c.name} #${said}`, net.now);
        said++;
        net.run(1_000);
      }
      for (const c of clients) c.cut = false;
      net.run(2_000);
    }
    net.runUntilDelivered(3 * said, 30_000);
    expectSameOrder(clients, 3 * said);
    expect(net.serverEvents.filter((e) => e.type === 'leave'), 'nobody evicted').to.be.empty;
    // 25 messages each, 25 s of outage: backoff (25 ms doubling to 1 s) keeps resends near one per
    // second of outage plus a few quick ones at its start (55 with this seed); a storm would be thousands.
    console.log(`      retransmissions: ${clients.map((c) => c.core.sender.outbox.retransmissions).join(', ')}`);
    for (const c of clients) expect(c.core.sender.outbox.retransmissions, `${c.name} retransmissions`).to.be.below(80);
  });

  it('paces a fast sender to the flood limit without losing anything', () => {
    const net = new SimNetwork(SEED + 4, { rate: 10, burst: 20 });
    const [ann, bob] = [net.addClient('ann'), net.addClient('bob')] as [SimClient, SimClient];
    net.run(1_000);
    const start = net.now;
    for (let i = 0; i < 100; i++) ann.core.say(`ann #${i}`, net.now);
    net.runUntilDelivered(100, 60_000);
    expectSameOrder([ann, bob], 100);
    expectSenderOrder(bob.lines, 'ann', 100);
    // 20 at once, then 10 per second: the 100th cannot be accepted before ~8 s.
    expect(net.now - start).to.be.greaterThan(7_500);
    expect(net.serverEvents.filter((e) => e.type === 'leave')).to.be.empty;
  });

  it('evicts clients cut off past the idle timeout, then they rejoin and deliver what was typed meanwhile', () => {
    const net = new SimNetwork(SEED + 5, { rate: 1000, burst: 1000 });
    const [ann, bob, cat] = ['ann', 'bob', 'cat'].map((n) => net.addClient(n)) as [SimClient, SimClient, SimClient];
    net.run(1_000);
    sayAll(net, [ann, bob, cat], 10, 20);
    net.run(2_000);
    bob.cut = true;
    for (let i = 10; i < 20; i++) {
      ann.core.say(`ann #${i}`, net.now);
      bob.core.say(`bob #${i}`, net.now);
      net.run(100);
    }
    net.run(40_000);
    const leaves = net.serverEvents.filter((e) => e.type === 'leave');
    expect(leaves.map((e) => e.type === 'leave' && `${e.nick} ${e.reason}`)).to.deep.equal(['bob timeout']);
    expect(cat.events.some((e) => e.type === 'presence' && e.action === 'leave' && e.nick === 'bob' && e.reason === 'timeout')).to.equal(true);
    bob.cut = false;
    net.run(30_000);
    expect(bob.events.some((e) => e.type === 'joined' && e.rejoined)).to.equal(true);
    // Everything ann said while bob was away reaches bob after the rejoin; bob's own are accepted once.
    for (let i = 0; i < 20; i++) {
      expect(bob.lines.filter((l) => l.endsWith(`ann: ann #${i}`)), `ann #${i} at bob`).to.have.length(1);
      expect(cat.lines.filter((l) => l.endsWith(`bob: bob #${i}`)), `bob #${i} at cat`).to.have.length(1);
    }
    expectSenderOrder(cat.lines, 'bob', 20);
    expect(ann.lines).to.deep.equal(cat.lines);
  });

  it('resumes after a server restart: clients rejoin by themselves and resend what was not acknowledged', () => {
    const net = new SimNetwork(SEED + 6, { rate: 1000, burst: 1000 });
    const [ann, bob] = [net.addClient('ann'), net.addClient('bob')] as [SimClient, SimClient];
    net.run(1_000);
    ann.core.say('before', net.now);
    net.run(1_000);
    net.stopServer();
    ann.core.say('during', net.now);
    net.run(3_000);
    net.restartServer();
    net.run(15_000);
    expect(ann.events.filter((e) => e.type === 'joined' && e.rejoined)).to.have.length(1);
    expect(bob.events.filter((e) => e.type === 'joined' && e.rejoined)).to.have.length(1);
    expect(bob.lines.map((l) => l.replace(/^\d+ /, ''))).to.deep.equal(['ann: before', 'ann: during']);
    bob.core.say('after', net.now);
    net.run(2_000);
    expect(ann.lines.at(-1)).to.match(/bob: after$/);
  });

  it('announces one outage once: a silence first, then the restarted server\'s answer adds no second notice', () => {
    const net = new SimNetwork(SEED + 13, { rate: 1000, burst: 1000 });
    const ann = net.addClient('ann');
    net.run(1_000);
    net.stopServer();
    net.run(15_000);
    expect(ann.core.state).to.equal('reconnecting');
    net.restartServer();
    net.run(10_000);
    expect(ann.events.filter((e) => e.type === 'state' && e.state === 'reconnecting')).to.have.length(1);
    expect(ann.events.filter((e) => e.type === 'notice' && e.lost === true)).to.have.length(0);
    expect(ann.events.filter((e) => e.type === 'joined' && e.rejoined)).to.have.length(1);
  });

  it('refuses a nickname taken by another client, in any case or look-alike form', () => {
    const net = new SimNetwork(SEED + 7);
    net.addClient('bob', 'bob');
    const second = net.addClient('bob2', 'BOB');
    net.run(2_000);
    const failed = second.events.find((e) => e.type === 'join-failed');
    expect(failed).to.deep.include({ type: 'join-failed', code: 'UDPCHAT_ERR_NICK_TAKEN' });
    second.core.join(net.now, 'robert');
    net.run(2_000);
    expect(second.events.some((e) => e.type === 'joined' && e.nick === 'robert')).to.equal(true);
  });

  it('reports an unreachable server after the join timeout', () => {
    const net = new SimNetwork(SEED + 8);
    net.stopServer();
    const c = net.addClient('ann', 'ann', 3_000);
    net.run(5_000);
    expect(c.events.find((e) => e.type === 'join-failed')).to.deep.include({ code: 'UDPCHAT_ERR_SERVER_UNREACHABLE' });
  });

  it('replays history to a newcomer and marks it as history', () => {
    const net = new SimNetwork(SEED + 9, { historyMessages: 5 });
    const ann = net.addClient('ann');
    net.run(500);
    for (let i = 0; i < 8; i++) ann.core.say(`ann #${i}`, net.now);
    net.run(2_000);
    const bob = net.addClient('bob');
    net.run(2_000);
    const history = bob.events.filter((e) => e.type === 'message' && e.history);
    expect(history.map((e) => e.type === 'message' && e.text)).to.deep.equal(['ann #3', 'ann #4', 'ann #5', 'ann #6', 'ann #7']);
    bob.core.say('hi', net.now);
    net.run(1_000);
    expect(bob.events.filter((e) => e.type === 'message' && !e.history).map((e) => e.type === 'message' && e.text)).to.deep.equal(['hi']);
    expect(bob.core.feed.roster.nicks()).to.deep.equal(['ann', 'bob']);
  });
});
