import { expect } from 'chai';
import { appendFileSync, constants, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeKeptEntry } from '../../../lib/protocol/entry-codec.js';
import { NodeDisk } from '../../../lib/server/store/disk.js';
import { LogStore } from '../../../lib/server/store/log-store.js';
import { openStore as openStoreDir } from '../../../lib/server/store/open-store.js';
import { SessionSaver, decodeSessions, readSessions } from '../../../lib/server/store/session-file.js';
import { randomBytes } from 'node:crypto';

const T0 = 1_700_000_000_000;

describe('store on real files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'udp-chat-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function openStore(): Promise<Awaited<ReturnType<typeof LogStore.open>>> {
    return LogStore.open(new NodeDisk(dir), { keep: 1000, tailEntries: 100, random: randomBytes });
  }

  it('keeps committed entries across a reopen, with 0600 files, and cuts a torn tail', async () => {
    const { store, recovered } = await openStore();
    for (let seq = 1; seq <= 10; seq++) {
      store.add([{ kind: 'entry', seq, bytes: encodeKeptEntry({ kind: 'msg', seq, time: T0, nick: 'ann', target: 0, text: `m${seq}` }) }]);
      await store.commit(T0);
    }
    await store.close();
    const seg = join(dir, 'seg-000000000001.log');
    expect(statSync(seg).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir, 'store.json')).mode & 0o777).to.equal(0o600);
    const size = statSync(seg).size;
    appendFileSync(seg, Buffer.from([0, 0, 0, 40, 1, 2, 3]));
    const again = await openStore();
    expect(again.recovered.lastSeq).to.equal(10);
    expect(again.recovered.instance.equals(recovered.instance)).to.equal(true);
    expect(again.recovered.notes[0]).to.match(/cut off an incomplete last record at byte \d+ \(7 bytes/);
    expect(statSync(seg).size).to.equal(size);
    again.store.add([{ kind: 'entry', seq: 11, bytes: encodeKeptEntry({ kind: 'join', seq: 11, time: T0, nick: 'bob' }) }]);
    await again.store.commit(T0);
    await again.store.close();
    expect((await openStore()).recovered.lastSeq).to.equal(11);
  });

  it('flushes with fdatasync whatever an O_DSYNC append does not cover: a truncate, a file opened again', async function () {
    if (constants.O_DSYNC === undefined) this.skip();
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const real = proto.datasync;
    let datasyncs = 0;
    proto.datasync = function (this: unknown) {
      datasyncs++;
      return real.call(this);
    };
    try {
      const disk = new NodeDisk(dir);
      await disk.append('seg', Buffer.from('abc'));
      await disk.sync('seg');
      expect(datasyncs, 'a new file written with O_DSYNC').to.equal(0);
      await disk.truncate('seg', 2);
      await disk.sync('seg');
      expect(datasyncs, 'after a truncate').to.equal(1);
      await disk.append('seg', Buffer.from('d'));
      await disk.sync('seg');
      expect(datasyncs).to.equal(1);
      await disk.close();
      const again = new NodeDisk(dir);
      await again.append('seg', Buffer.from('e'));
      await again.sync('seg');
      expect(datasyncs, 'a file opened again: what an earlier process wrote').to.equal(2);
      await again.append('seg', Buffer.from('f'));
      await again.sync('seg');
      expect(datasyncs).to.equal(2);
      await again.close();
      expect(readFileSync(join(dir, 'seg'), 'latin1')).to.equal('abdef');
    } finally {
      proto.datasync = real;
    }
  });

  it('removes temporary files an interrupted atomic write left behind, and nothing else', async () => {
    writeFileSync(join(dir, '.sessions.json.4242.0.tmp'), 'half');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const handle = await openStoreDir(dir, { keep: 1000, tailEntries: 100, random: randomBytes });
    await handle.close();
    expect(readdirSync(dir).sort()).to.deep.equal(['notes.txt', 'store.json']);
  });

  it('writes sessions.json atomically with mode 0600, the newest state winning', async () => {
    const disk = new NodeDisk(dir);
    const saver = new SessionSaver(disk);
    const s = { address: '127.0.0.1', port: 4000, token: Buffer.alloc(16, 1), clientId: Buffer.alloc(16, 2), nick: 'ann', joinedAt: T0, lastHeard: T0, historyFrom: 1, baseSeq: 0, caps: 6 };
    let encoded = 0;
    void saver.save(() => (encoded++, { sessions: [s], now: T0 }));
    void saver.save(() => (encoded++, { sessions: [s], now: T0 }));
    await saver.save(() => (encoded++, { sessions: [s, { ...s, port: 4001, nick: 'bob' }], now: T0 + 1 }));
    await saver.idle();
    expect(encoded, 'requests made while a write runs are taken together').to.equal(2);
    expect(statSync(join(dir, 'sessions.json')).mode & 0o777).to.equal(0o600);
    const read = await readSessions(disk);
    expect(read?.savedAt).to.equal(T0 + 1);
    expect(read?.sessions.map((x) => x.nick)).to.deep.equal(['ann', 'bob']);
    expect(read?.sessions[0]?.token.equals(s.token)).to.equal(true);
    expect(read?.sessions[0]?.caps, 'the caps the session joined with').to.equal(6);
    writeFileSync(join(dir, 'sessions.json'), '{"format":1,"savedAt":1,"sessions":[{"address":"x"}]}');
    expect(() => decodeSessions(readFileSync(join(dir, 'sessions.json')))).to.throw('sessions.json: session 0 is not valid');
    await disk.close();
  });
});
