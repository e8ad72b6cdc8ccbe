/**
 * nicks.json (docs/protocol.md §5.3 "Ownership"): bindings survive a restart, a damaged file is one
 * clear line (or set aside with --repair), and `udp-chat release-nick` frees a nick of a stopped
 * server while refusing to touch a running one's store.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliContext } from '../../../lib/cli/context.js';
import { main } from '../../../lib/cli/main.js';
import { encode } from '../../../lib/protocol/codec.js';
import { nickKeys } from '../../../lib/protocol/nick.js';
import { ChatServer } from '../../../lib/server/chat-server.js';
import { fingerprint } from '../../../lib/protocol/seal/identity.js';
import { NICKS_FILE, NickFileError, NickSaver, decodeNicks, encodeNicks, openNicks } from '../../../lib/server/store/nick-file.js';
import { openStore } from '../../../lib/server/store/open-store.js';
import { acquireLock } from '../../../lib/state/lock-file.js';
import { MemoryDisk } from '../../support/memory-disk.js';

const T0 = 1_767_225_600_000;
const alice = { nick: 'alice', nickKey: 'allce', owner: Buffer.alloc(32, 1), lastUsedMs: T0 };
const bob = { nick: 'Bob', nickKey: 'bob', owner: Buffer.alloc(32, 2), lastUsedMs: T0 + 5 };

function context(): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const stream = (): NodeJS.WriteStream => new PassThrough() as unknown as NodeJS.WriteStream;
  const ctx: CliContext = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    stdout: stream(),
    stderr: stream(),
    env: {},
    untilSignal: () => new Promise<void>(() => undefined),
  };
  return { ctx, out, err };
}

describe('nicks.json', () => {
  it('round-trips bindings, keying each nick again as the server does', () => {
    const raw = encodeNicks([alice, bob], T0);
    expect(decodeNicks(raw)).to.deep.equal([alice, bob]);
    const edited = Buffer.from(raw.toString().replace('"alice"', '"ALICE"'));
    expect(decodeNicks(edited)[0]).to.include({ nick: 'ALICE', nickKey: 'allce' });
  });

  for (const [what, text, message] of [
    ['not JSON', '{"format":1,', /nicks\.json: not JSON/],
    ['another format', '{"format":2,"bindings":[]}', /not a format 1 nick bindings file/],
    ['a short owner key', '{"format":1,"bindings":[{"nick":"a","owner":"0102","lastUsed":1}]}', /binding 0 is not valid/],
    ['an invalid nick', '{"format":1,"bindings":[{"nick":"a b","owner":"' + '00'.repeat(32) + '","lastUsed":1}]}', /binding 0 is not valid/],
    ['a negative time', '{"format":1,"bindings":[{"nick":"a","owner":"' + '00'.repeat(32) + '","lastUsed":-1}]}', /binding 0 is not valid/],
  ] as const) {
    it(`refuses ${what} with one line naming the file`, () => {
      expect(() => decodeNicks(Buffer.from(text))).to.throw(NickFileError, message);
    });
  }

  it('sets a damaged file aside with repair, and refuses it without', async () => {
    const disk = new MemoryDisk();
    await disk.writeAtomic(NICKS_FILE, Buffer.from('garbage'));
    let refused: unknown;
    await openNicks(disk, false, []).catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(NickFileError);
    const notes: string[] = [];
    expect(await openNicks(disk, true, notes)).to.deep.equal([]);
    expect(notes[0]).to.match(/set aside as nicks\.json\.damaged/);
    expect((await disk.readFile(`${NICKS_FILE}.damaged`))?.toString()).to.equal('garbage');
    expect(await disk.readFile(NICKS_FILE)).to.equal(undefined);
  });

  it('saves only when the bindings changed, coalesces writes, and survives a crash right after', async () => {
    const disk = new MemoryDisk();
    const warnings: Error[] = [];
    const saver = new NickSaver(disk, (e) => warnings.push(e));
    saver.save(0, () => [alice]);
    await saver.idle();
    expect(disk.calls['writeAtomic'] ?? 0, 'nothing changed').to.equal(0);
    saver.save(1, () => [alice]);
    saver.save(2, () => [alice, bob]);
    saver.save(3, () => [alice, bob]);
    await saver.idle();
    expect(disk.calls['writeAtomic']).to.be.at.most(2);
    disk.crash();
    expect(decodeNicks((await disk.readFile(NICKS_FILE)) ?? Buffer.alloc(0))).to.deep.equal([alice, bob]);
    disk.failNext('writeAtomic');
    saver.save(4, () => [bob]);
    await saver.idle();
    expect(warnings[0]?.message).to.match(/cannot save nicks\.json/);
    saver.save(4, () => [bob]);
    await saver.idle();
    expect(decodeNicks((await disk.readFile(NICKS_FILE)) ?? Buffer.alloc(0)), 'retried after the failure').to.deep.equal([bob]);
  });
});

describe('udp-chat release-nick', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'udpchat-nicks-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('frees a nick (compared by its key) in a stopped server\'s store, 0600, and says whose it was', async () => {
    writeFileSync(join(dir, NICKS_FILE), encodeNicks([alice, bob], T0));
    const { ctx, out } = context();
    expect(await main(['release-nick', 'ALICE', '--data', dir], ctx)).to.equal(0);
    expect(out[0]).to.include(`released "alice" (was bound to ${fingerprint(alice.owner)}`);
    expect(decodeNicks(readFileSync(join(dir, NICKS_FILE)))).to.deep.equal([bob]);
    expect(statSync(join(dir, NICKS_FILE)).mode & 0o777).to.equal(0o600);
    const store = await openStore(dir, { keep: 10, tailEntries: 10, random: (n) => Buffer.alloc(n, 3) });
    try {
      expect(store.nickBindings).to.deep.equal([bob]);
    } finally {
      await store.close();
    }
  });

  it('exits 1 when the nick is not bound, and refuses a running server\'s store (locked)', async () => {
    writeFileSync(join(dir, NICKS_FILE), encodeNicks([bob], T0));
    const first = context();
    expect(await main(['release-nick', 'alice', '--data', dir], first.ctx)).to.equal(1);
    expect(first.err[0]).to.match(/no binding for "alice"/);
    const lock = acquireLock(dir, process.ppid);
    try {
      const second = context();
      expect(await main(['release-nick', 'Bob', '--data', dir], second.ctx)).to.equal(1);
      expect(second.err).to.have.length(1);
      expect(second.err[0]).to.match(/is running on .*: stop it, run release-nick, then start it again/);
      expect(decodeNicks(readFileSync(join(dir, NICKS_FILE)))).to.deep.equal([bob]);
    } finally {
      lock.release();
    }
  });

  it('says so in one line for a damaged file or a store that does not exist', async () => {
    writeFileSync(join(dir, NICKS_FILE), 'not json');
    const a = context();
    expect(await main(['release-nick', 'alice', '--data', dir], a.ctx)).to.equal(1);
    expect(a.err[0]).to.match(/nicks\.json: not JSON/);
    const b = context();
    expect(await main(['release-nick', 'alice', '--data', join(dir, 'nope')], b.ctx)).to.equal(1);
    expect(b.err[0]).to.match(/no server store at/);
  });
});

describe('ChatServer with a store: nick bindings', function () {
  this.timeout(15_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'udpchat-nickstore-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves a binding made by a sealed join to nicks.json and starts from it after a restart', async () => {
    const open = (): ReturnType<typeof openStore> => openStore(dir, { keep: 10, tailEntries: 64, random: (n) => Buffer.alloc(n, 5) });
    const server = await ChatServer.start({ host: '127.0.0.1', port: 0, store: await open() });
    const from = { address: '127.0.0.1', port: 9 };
    const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId: Buffer.alloc(16, 4), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'alice' };
    const peer = { staticKey: new Uint8Array(32).fill(6) };
    const now = Date.now();
    server.core.receive(encode({ ...hello, cookie: server.core.cookieFor(from, hello.clientId, now) }), from, now, peer);
    expect(server.core.nicks.size).to.equal(1);
    await server.close();
    const saved = decodeNicks(readFileSync(join(dir, NICKS_FILE)));
    expect(saved.map((b) => [b.nick, b.owner.toString('hex')])).to.deep.equal([['alice', '06'.repeat(32)]]);
    expect(statSync(join(dir, NICKS_FILE)).mode & 0o777).to.equal(0o600);
    const again = await ChatServer.start({ host: '127.0.0.1', port: 0, store: await open() });
    try {
      expect(again.core.nicks.ownerOf(nickKeys('alice'))?.owner).to.deep.equal(Buffer.alloc(32, 6));
    } finally {
      await again.close();
    }
  });
});
