import { expect } from 'chai';
import { encodeKeptEntry } from '../../../lib/protocol/entry-codec.js';
import { openStore } from '../../../lib/server/store/open-store.js';
import { Persister, type PersisterHooks } from '../../../lib/server/store/persister.js';
import type { StoreRecord } from '../../../lib/server/store/record-codec.js';
import { readSessions } from '../../../lib/server/store/session-file.js';
import { MemoryDisk } from '../../support/memory-disk.js';
import { seededBytes } from '../../support/sim-network.js';

const T0 = 1_700_000_000_000;
const msg = (seq: number): StoreRecord => ({ kind: 'entry', seq, bytes: encodeKeptEntry({ kind: 'msg', seq, time: T0, nick: 'ann', target: 0, text: `m${seq}` }) });

function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (cond()) resolve();
      else if (Date.now() > until) reject(new Error('condition not met in time'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe('Persister', () => {
  let persister: Persister | undefined;
  afterEach(() => persister?.stop());

  async function rig(disk = new MemoryDisk()) {
    const handle = await openStore('/fake', { keep: 1000, tailEntries: 100, random: seededBytes(3), disk });
    const seen = { durable: [] as number[], storage: [] as string[] };
    const hooks: PersisterHooks = {
      durable: (n) => seen.durable.push(n),
      sessions: () => [],
      storage: (e) => seen.storage.push(e.ok ? 'ok' : (e.error as NodeJS.ErrnoException).code ?? 'error'),
      warning: (e) => seen.storage.push(e.name),
    };
    persister = new Persister(handle, hooks, 20);
    return { disk, handle, seen, hooks, persister };
  }

  it('groups what arrives during a flush into the next write (group commit)', async () => {
    const { disk, seen, persister } = await rig();
    persister.add([msg(1)]);
    persister.add([msg(2)]);
    persister.add([msg(3)]);
    await waitFor(() => seen.durable.at(-1) === 3);
    expect(disk.calls['sync']).to.equal(2);
    expect(seen.durable).to.deep.equal([1, 3]);
  });

  it('starts the next write before reporting a batch durable, and never reports a batch before its own write returned', async () => {
    const { disk, handle, seen, hooks, persister } = await rig();
    const appendsAtReport: number[] = [];
    const durableOnDisk: number[] = [];
    const report = (n: number): void => {
      seen.durable.push(n);
      appendsAtReport.push(disk.calls['append'] ?? 0);
      // Every record reported durable is in the flushed bytes (what a crash now would keep).
      const seg = [...disk.files.entries()].find(([name]) => name.startsWith('seg-'));
      durableOnDisk.push(seg?.[1].durable?.length ?? 0);
    };
    hooks.durable = report;
    const before = disk.calls['append'] ?? 0;
    persister.add([msg(1)]);
    persister.add([msg(2)]);
    await waitFor(() => seen.durable.at(-1) === 2);
    persister.add([msg(3)]);
    await waitFor(() => seen.durable.at(-1) === 3);
    expect(seen.durable).to.deep.equal([1, 2, 3]);
    // Batch 2 was written before batch 1 was reported; nothing was queued behind batch 2 or 3.
    expect(appendsAtReport.map((n) => n - before)).to.deep.equal([2, 2, 3]);
    expect(durableOnDisk[0]).to.be.greaterThan(0);
    expect(durableOnDisk[1]).to.be.greaterThan(durableOnDisk[0] as number);
    expect(handle.log.queued).to.equal(0);
    disk.crash();
    const again = await openStore('/fake', { keep: 1000, tailEntries: 100, random: seededBytes(4), disk });
    expect(again.restore.lastSeq).to.equal(3);
  });

  it('reports a full disk once, keeps the records, retries, and reports recovery', async () => {
    const disk = new MemoryDisk();
    const { seen, persister, handle } = await rig(disk);
    disk.capacity = [...disk.files.values()].reduce((n, f) => n + f.data.length, 0) + 20;
    persister.add([msg(1)]);
    await waitFor(() => seen.storage.length === 1);
    persister.add([msg(2)]);
    await new Promise((r) => setTimeout(r, 80));
    expect(seen.storage).to.deep.equal(['ENOSPC']);
    expect(seen.durable).to.deep.equal([]);
    expect(handle.log.queued).to.equal(2);
    disk.capacity = Infinity;
    await waitFor(() => seen.durable.at(-1) === 2);
    expect(seen.storage).to.deep.equal(['ENOSPC', 'ok']);
    disk.crash();
    const again = await openStore('/fake', { keep: 1000, tailEntries: 100, random: seededBytes(4), disk });
    expect(again.restore.lastSeq).to.equal(2);
  });

  it('on drain writes what is queued and saves the sessions', async () => {
    const { disk, seen, persister } = await rig();
    persister.add([msg(1)]);
    await persister.drain();
    expect(seen.durable.at(-1)).to.equal(1);
    expect((await readSessions(disk))?.sessions).to.deep.equal([]);
  });
});
