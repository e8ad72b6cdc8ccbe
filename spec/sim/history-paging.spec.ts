/**
 * History paging over the simulated faulty link (docs/protocol.md §6.1.11, §6.2.11): a newcomer pages
 * back to the room's first entry while HISTORY and PAGE are lost, duplicated and reordered — every
 * entry once, in order, and nobody cut off.
 */
import { expect } from 'chai';
import { SimNetwork } from '../support/sim-network.js';

const SEED = Number(process.env.SIM_SEED ?? 20261203);

describe(`history paging over a simulated link (seed ${SEED})`, () => {
  it('pages a newcomer back to the first entry through 20% loss, duplication and reordering', () => {
    const net = new SimNetwork(SEED, { rate: 1000, burst: 1000 });
    const ann = net.addClient('ann');
    net.run(1_000);
    for (let i = 1; i <= 600; i++) {
      ann.core.say(`m${i} ${'·'.repeat(i % 40)}`, net.now);
      if (i % 20 === 0) net.run(50);
    }
    net.runUntilDelivered(600, 30_000);
    expect(ann.lines).to.have.length(600);
    const cat = net.addClient('cat');
    net.run(2_000);
    net.faults = { loss: 0.2, duplicate: 0.1, reorder: 0.25, delayMin: 20, delayMax: 150, latency: 2 };
    const replayed = cat.events.flatMap((e) => ((e.type === 'message' || e.type === 'presence') && e.history ? [e.seq] : []));
    expect(replayed.length).to.be.greaterThan(0);
    const pages: number[][] = [];
    let end: string | undefined;
    for (let round = 0; round < 200 && end === undefined; round++) {
      const seen = cat.events.length;
      cat.core.loadOlder(net.now);
      net.run(20_000, () => cat.events.slice(seen).some((e) => e.type === 'older' || e.type === 'no-older'));
      for (const e of cat.events.slice(seen)) {
        if (e.type === 'older') pages.push(e.entries.map((x) => x.seq));
        if (e.type === 'no-older') end = e.why;
      }
    }
    expect(pages.length, 'many pages').to.be.greaterThan(10);
    expect(end).to.equal('start');
    const all = [...pages.slice().reverse().flat(), ...replayed];
    expect(all, 'every entry before the newcomer joined, once, in order').to.deep.equal(Array.from({ length: all.length }, (_, i) => i + 1));
    expect(all.at(-1)).to.equal(Math.max(...replayed));
    expect(net.link.lost, 'the link did lose datagrams').to.be.greaterThan(10);
    expect(net.serverEvents.filter((e) => e.type === 'leave'), 'nobody cut off or evicted').to.be.empty;
  });
});
