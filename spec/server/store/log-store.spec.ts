import { expect } from 'chai';
import { encodeKeptEntry } from '../../../lib/protocol/entry-codec.js';
import { LogStore, type LogStoreOptions, SLOW_COMMIT_MS } from '../../../lib/server/store/log-store.js';
import type { StoreRecord } from '../../../lib/server/store/record-codec.js';
import { StoreCorruptError } from '../../../lib/server/store/segment-scan.js';
import { MemoryDisk } from '../../support/memory-disk.js';

const T0 = 1_700_000_000_000;
let counter = 0;
const random = (n: number): Buffer => {
  const b = Buffer.alloc(n);
  b.writeUInt32BE(++counter % 2 ** 32, 0);
  return b;
};
const CLIENT_A = Buffer.alloc(16, 0xaa);
const CLIENT_B = Buffer.alloc(16, 0xbb);

function msg(seq: number, text: string, sender?: { clientId: Buffer; cseq: number }, time = T0 + seq): StoreRecord {
  return { kind: 'entry', seq, bytes: encodeKeptEntry({ kind: 'msg', seq, time, nick: 'ann', target: 0, text }), sender };
}

function join(seq: number): StoreRecord {
  return { kind: 'entry', seq, bytes: encodeKeptEntry({ kind: 'join', seq, time: T0 + seq, nick: 'bob' }) };
}

function opts(o: Partial<LogStoreOptions> = {}): LogStoreOptions {
  return { keep: 100_000, tailEntries: 8192, random, ...o };
}

async function open(disk: MemoryDisk, o: Partial<LogStoreOptions> = {}) {
  return LogStore.open(disk, opts(o));
}

/** Commits `n` messages from client A with cseqs 1..n, starting at seq `from`. */
async function commitMessages(store: LogStore, from: number, n: number, cseqFrom = 1): Promise<void> {
  for (let i = 0; i < n; i++) {
    store.add([msg(from + i, `m${from + i}`, { clientId: CLIENT_A, cseq: cseqFrom + i })]);
    await store.commit(T0);
  }
}

describe('LogStore', () => {
  describe('.open', () => {
    it('creates a store with an instance that stays the same when it is opened again', async () => {
      const disk = new MemoryDisk();
      const first = await open(disk);
      expect(first.recovered.created).to.equal(true);
      expect(first.recovered.lastSeq).to.equal(0);
      const again = await open(disk);
      expect(again.recovered.created).to.equal(false);
      expect(again.recovered.instance.equals(first.recovered.instance)).to.equal(true);
    });

    it('restores the seq, the tail of the log and what each client had acknowledged', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk);
      store.add([join(1), msg(2, 'hello', { clientId: CLIENT_A, cseq: 1 }), { kind: 'cseq', clientId: CLIENT_B, cseq: 7 }, msg(3, 'again', { clientId: CLIENT_A, cseq: 2 })]);
      await store.commit(T0);
      const { recovered } = await open(disk, { tailEntries: 2 });
      expect(recovered.lastSeq).to.equal(3);
      expect(recovered.tail.map((e) => e.seq)).to.deep.equal([2, 3]);
      expect(recovered.tail[1]?.bytes.equals((msg(3, 'again') as { bytes: Buffer }).bytes)).to.equal(true);
      expect([...recovered.cseqs]).to.deep.equal([
        [CLIENT_B.toString('hex'), 7],
        [CLIENT_A.toString('hex'), 2],
      ]);
      expect(recovered.lastTime).to.equal(T0 + 3);
    });

    it('writes one batch with one append and one flush (group commit)', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk);
      store.add(Array.from({ length: 50 }, (_, i) => msg(i + 1, `m${i}`)));
      await store.commit(T0);
      expect(disk.calls['append']).to.equal(1);
      expect(disk.calls['sync']).to.equal(1);
      expect(store.committed).to.equal(50);
      expect(store.stats).to.include({ writes: 1, syncs: 1, records: 50 });
    });

    it('counts commits the disk held up (over SLOW_COMMIT_MS) and the longest', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk);
      store.add([msg(1, 'fast')]);
      await store.commit(T0);
      expect(store.stats.slowCommits).to.equal(0);
      // A flush that waits (a stalled disk): 3 × SLOW_COMMIT_MS, so at least SLOW_COMMIT_MS is measured.
      const sync = disk.sync.bind(disk);
      disk.sync = async (name: string) => {
        await new Promise((r) => setTimeout(r, 3 * SLOW_COMMIT_MS));
        await sync(name);
      };
      store.add([msg(2, 'slow')]);
      await store.commit(T0);
      expect(store.stats.slowCommits).to.equal(1);
      expect(store.stats.longestCommitMs).to.be.greaterThan(SLOW_COMMIT_MS);
    });
  });

  describe('crash at each step of the write path', () => {
    it('before the write: queued records are not on disk, the rest is exact', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk);
      await commitMessages(store, 1, 3);
      store.add([msg(4, 'never written')]);
      disk.crash();
      const { recovered } = await open(disk);
      expect(recovered.lastSeq).to.equal(3);
      expect(recovered.cseqs.get(CLIENT_A.toString('hex'))).to.equal(3);
    });

    it('after the write, before the flush: the unflushed batch is gone, nothing else', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk);
      await commitMessages(store, 1, 3);
      store.add([msg(4, 'written, not flushed', { clientId: CLIENT_A, cseq: 4 })]);
      disk.failNext('sync');
      let failed = false;
      await store.commit(T0).catch(() => (failed = true));
      expect(failed).to.equal(true);
      expect(store.committed).to.equal(3);
      disk.crash();
      const { recovered } = await open(disk);
      expect(recovered.lastSeq).to.equal(3);
      expect(recovered.cseqs.get(CLIENT_A.toString('hex'))).to.equal(3);
    });

    it('after the flush, before the ACK: the batch is recovered', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk);
      await commitMessages(store, 1, 4);
      disk.crash();
      const { recovered } = await open(disk);
      expect(recovered.lastSeq).to.equal(4);
      expect(recovered.cseqs.get(CLIENT_A.toString('hex'))).to.equal(4);
    });

    it('cuts a torn last record, whatever prefix of the batch reached the disk', async () => {
      const base = new MemoryDisk();
      const { store } = await open(base);
      await commitMessages(store, 1, 2);
      const flushedSize = base.files.get('seg-000000000001.log')?.data.length ?? 0;
      const batch = [msg(3, 'x'.repeat(40), { clientId: CLIENT_A, cseq: 3 }), msg(4, 'y', { clientId: CLIENT_A, cseq: 4 })];
      store.add(batch);
      base.failNext('sync');
      await store.commit(T0).catch(() => undefined);
      const unflushed = (base.files.get('seg-000000000001.log')?.data.length ?? 0) - flushedSize;
      expect(unflushed).to.be.greaterThan(60);
      for (let keep = 1; keep < unflushed; keep++) {
        for (const garbage of [false, true]) {
          const disk = new MemoryDisk();
          for (const [name, f] of base.files) disk.files.set(name, { data: Buffer.from(f.data), durable: f.durable && Buffer.from(f.durable) });
          disk.crash({ keep, garbage });
          const { recovered } = await open(disk);
          // Only whole, valid records survive: seq 3 when its record made it intact (never garbage).
          const whole = !garbage && keep >= (batch[0] ? 8 + 1 + 4 + 16 + 4 + (batch[0] as { bytes: Buffer }).bytes.length : 0);
          expect(recovered.lastSeq, `keep ${keep} garbage ${garbage}`).to.equal(whole ? 3 : 2);
          if (keep > 0 && !(whole && keep === 8 + 1 + 4 + 20 + (batch[0] as { bytes: Buffer }).bytes.length)) expect(recovered.notes.join()).to.match(/cut off an incomplete last record/);
          const reopened = await open(disk);
          expect(reopened.recovered.notes, 'a second open finds nothing to cut').to.deep.equal([]);
        }
      }
    });
  });

  describe('damage', () => {
    async function damaged(): Promise<{ disk: MemoryDisk; offset: number }> {
      const disk = new MemoryDisk();
      const { store } = await open(disk);
      await commitMessages(store, 1, 5);
      const f = disk.files.get('seg-000000000001.log');
      if (f === undefined) throw new Error('no segment');
      // Flip one byte inside the text of the second record.
      const offset = (f.data.length / 5) | 0;
      f.data[offset + 40] = (f.data[offset + 40] ?? 0) ^ 0xff;
      return { disk, offset };
    }

    it('refuses to open with an error naming the file and byte offset of a damaged middle record', async () => {
      const { disk, offset } = await damaged();
      let err: unknown;
      await open(disk).catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(StoreCorruptError);
      expect((err as StoreCorruptError).file).to.equal('seg-000000000001.log');
      expect((err as StoreCorruptError).offset).to.equal(offset);
      expect((err as Error).message).to.equal(`seg-000000000001.log: damaged at byte ${offset} (checksum mismatch)`);
    });

    it('with repair: cuts at the damage, keeps the damaged file aside, and starts a new instance', async () => {
      const { disk } = await damaged();
      const instance = Buffer.from((disk.files.get('store.json')?.data ?? Buffer.alloc(0)).toString());
      const { recovered } = await open(disk, { repair: true });
      expect(recovered.lastSeq).to.equal(1);
      expect(disk.files.has('seg-000000000001.log.damaged')).to.equal(true);
      expect(recovered.notes.join()).to.match(/repaired: seg-000000000001\.log: damaged at byte \d+/);
      expect(disk.files.get('store.json')?.data.toString()).to.not.equal(instance.toString());
      const again = await open(disk);
      expect(again.recovered.lastSeq).to.equal(1);
    });

    it('refuses a store whose store.json is missing while segments exist', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk);
      await commitMessages(store, 1, 1);
      disk.files.delete('store.json');
      let err: unknown;
      await open(disk).catch((e: unknown) => (err = e));
      expect((err as Error).message).to.match(/^store\.json: damaged at byte 0 \(missing, but segment files exist\)/);
    });
  });

  describe('disk full and I/O errors', () => {
    it('keeps what it could not write queued, cuts the partial write, and writes it all once space returns', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk);
      await commitMessages(store, 1, 3);
      disk.capacity = [...disk.files.values()].reduce((n, f) => n + f.data.length, 0) + 30;
      store.add([msg(4, 'a message longer than what fits', { clientId: CLIENT_A, cseq: 4 })]);
      let code: string | undefined;
      await store.commit(T0).catch((e: NodeJS.ErrnoException) => (code = e.code));
      expect(code).to.equal('ENOSPC');
      expect(store.queued).to.equal(1);
      expect(store.committed).to.equal(3);
      store.add([msg(5, 'queued meanwhile', { clientId: CLIENT_A, cseq: 5 })]);
      disk.capacity = Infinity;
      await store.commit(T0);
      expect(store.committed).to.equal(5);
      disk.crash();
      const { recovered } = await open(disk);
      expect(recovered.lastSeq).to.equal(5);
      expect(recovered.notes).to.deep.equal([]);
      expect(recovered.cseqs.get(CLIENT_A.toString('hex'))).to.equal(5);
    });
  });

  describe('segments and retention', () => {
    it('starts new segments and drops whole old ones beyond --keep, remembering every client cseq', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk, { keep: 20, segmentEntries: 8 });
      store.add([{ kind: 'cseq', clientId: CLIENT_B, cseq: 9 }]);
      await commitMessages(store, 1, 60);
      const segs = [...disk.files.keys()].filter((n) => n.startsWith('seg-')).sort();
      expect(segs.length).to.be.within(3, 4);
      expect(store.oldestSeq).to.be.within(60 - 20 - 8 + 2, 60 - 20 + 1);
      const { recovered } = await open(disk, { keep: 20, segmentEntries: 8 });
      expect(recovered.lastSeq).to.equal(60);
      expect(recovered.oldestSeq).to.equal(store.oldestSeq);
      expect(recovered.cseqs.get(CLIENT_B.toString('hex'))).to.equal(9);
      expect(recovered.cseqs.get(CLIENT_A.toString('hex'))).to.equal(60);
    });

    it('keeps the batch durable when deleting an old segment fails, reports it once, and deletes it later', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk, { keep: 4, segmentEntries: 4 });
      await commitMessages(store, 1, 11);
      expect(store.oldestSeq).to.equal(5);
      disk.failNext('remove');
      store.add([msg(12, 'drops seg 5-8')]);
      await store.commit(T0);
      expect(store.committed).to.equal(12);
      expect(store.takeRetentionError()?.message).to.match(/^EIO: remove/);
      expect(store.takeRetentionError()).to.equal(undefined);
      expect(store.oldestSeq).to.equal(5);
      await commitMessages(store, 13, 1, 13);
      expect(store.oldestSeq).to.equal(9);
    });

    it('drops whole segments older than --keep-days', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk, { keepDays: 1, segmentEntries: 4 });
      for (let seq = 1; seq <= 8; seq++) {
        store.add([msg(seq, 'old', undefined, T0)]);
        await store.commit(T0);
      }
      store.add([msg(9, 'new', undefined, T0 + 2 * 86_400_000)]);
      await store.commit(T0 + 2 * 86_400_000);
      expect(store.oldestSeq).to.equal(9);
      expect([...disk.files.keys()].filter((n) => n.startsWith('seg-'))).to.deep.equal(['seg-000000000009.log']);
    });

    it('refuses a segment that does not continue the seqs of the one before', async () => {
      const disk = new MemoryDisk();
      const { store } = await open(disk, { segmentEntries: 2 });
      await commitMessages(store, 1, 5);
      disk.files.delete('seg-000000000003.log');
      let err: unknown;
      await open(disk).catch((e: unknown) => (err = e));
      expect((err as Error).message).to.equal('seg-000000000005.log: damaged at byte 0 (starts at seq 5 where 3 was expected)');
    });
  });
});
