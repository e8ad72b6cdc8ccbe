/**
 * The server core with persistence (docs/protocol.md §6.1.10) on the fake disk: nothing is
 * acknowledged or shown before its record is durable, and a crash injected at each step of the
 * write path recovers exactly — a resent message is acknowledged, never shown twice.
 */
import { expect } from 'chai';
import { decode, encode } from '../../lib/protocol/codec.js';
import type { Message, WelcomeMessage } from '../../lib/protocol/messages.js';
import { decodeEntry } from '../../lib/protocol/entry-codec.js';
import { Reader } from '../../lib/protocol/wire.js';
import type { PeerAddress } from '../../lib/server/peer-address.js';
import { ServerCore } from '../../lib/server/server-core.js';
import type { ServerOptions } from '../../lib/server/server-options.js';
import type { StoreRead } from '../../lib/server/staged-log.js';
import { persistedSessions } from '../../lib/server/restore-state.js';
import { LogStore } from '../../lib/server/store/log-store.js';
import { MemoryDisk } from '../support/memory-disk.js';
import { seededBytes } from '../support/sim-network.js';

const T0 = 1_700_000_000_000;
const ann: PeerAddress = { address: '192.0.2.1', port: 5001 };
const bob: PeerAddress = { address: '192.0.2.2', port: 5002 };

/** A persistent server core on a fake disk, restartable. */
class Rig {
  disk = new MemoryDisk();
  core!: ServerCore;
  store!: LogStore;
  sent: Array<{ to: PeerAddress[]; m: Message }> = [];
  now = T0;
  reads: StoreRead[] = [];
  constructor(private readonly options: Partial<ServerOptions> = {}) {}
  private sessions: ReturnType<typeof persistedSessions> = [];

  async start(): Promise<this> {
    const { store, recovered } = await LogStore.open(this.disk, { keep: 100_000, tailEntries: 8192, random: seededBytes(1) });
    this.store = store;
    const restore = { instance: recovered.instance, lastSeq: recovered.lastSeq, oldestStored: recovered.oldestSeq, tail: recovered.tail, cseqs: recovered.cseqs, sessions: this.sessions };
    this.core = new ServerCore({ ...this.options, random: seededBytes(this.now % 1000), now: this.now, persistent: true, restore });
    return this;
  }

  /** A crash: the disk loses what was not flushed; the sessions file holds what was last saved. */
  async restart(): Promise<void> {
    this.disk.crash();
    this.sent = [];
    await this.start();
  }

  saveSessions(): void {
    this.sessions = persistedSessions(this.core.sessions);
  }

  /** Hands the records to the store, without committing. Collects datagrams. */
  drain(): void {
    const { datagrams, records, reads } = this.core.drain();
    this.store.add(records);
    this.reads.push(...reads);
    for (const d of datagrams) this.sent.push({ to: Array.isArray(d.to) ? [...(d.to as PeerAddress[])] : [d.to as PeerAddress], m: decode(d.data) });
  }

  /** Commits what is queued and tells the core. */
  async commit(): Promise<void> {
    await this.store.commit(this.now);
    this.core.durable(this.store.committed, this.now, this.store.oldestSeq);
    this.drain();
  }

  receive(m: Message, from: PeerAddress): void {
    this.core.receive(encode(m), from, this.now);
    this.core.flush(this.now);
    this.drain();
  }

  take<T extends Message['type']>(type: T): Array<Extract<Message, { type: T }>> {
    const found = this.sent.filter((s) => s.m.type === type).map((s) => s.m as Extract<Message, { type: T }>);
    this.sent = this.sent.filter((s) => s.m.type !== type);
    return found;
  }

  async join(from: PeerAddress, nick: string, clientId: Buffer): Promise<Buffer> {
    const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick };
    this.receive(hello, from);
    const [cookie] = this.take('cookie');
    if (cookie === undefined) throw new Error('no cookie');
    this.receive({ ...hello, cookie: cookie.cookie }, from);
    const [welcome] = this.take('welcome');
    if (welcome === undefined) throw new Error('no welcome');
    await this.commit();
    return (welcome as WelcomeMessage).token;
  }

  /** The messages in the store, in seq order (from a fresh open of the disk as it is). */
  async storedTexts(): Promise<string[]> {
    const { recovered } = await LogStore.open(this.disk, { keep: 100_000, tailEntries: 8192, random: seededBytes(2) });
    return recovered.tail.map((e) => decodeEntry(new Reader(e.bytes, 0), e.seq)).flatMap((e) => (e.kind === 'msg' ? [e.text] : []));
  }
}

const A = Buffer.alloc(16, 0xa1);
const B = Buffer.alloc(16, 0xb2);

describe('ServerCore with persistence', () => {
  it('acknowledges and fans out a message only after its record is durable', async () => {
    const rig = await new Rig().start();
    const token = await rig.join(ann, 'ann', A);
    await rig.join(bob, 'bob', B);
    rig.sent = [];
    rig.receive({ type: 'say', token, cseq: 1, target: 0, text: 'hello' }, ann);
    expect(rig.take('ack')).to.deep.equal([]);
    expect(rig.take('data')).to.deep.equal([]);
    expect(rig.store.queued).to.equal(1);
    // A PING and a NACK see only what is durable.
    rig.receive({ type: 'ping', token, delivered: 0, echo: 1 }, ann);
    expect(rig.take('pong')[0]?.lastSeq).to.equal(2);
    await rig.commit();
    expect(rig.take('ack')).to.deep.include({ type: 'ack', token, cseq: 1 });
    const data = rig.take('data');
    expect(data.flatMap((d) => d.entries.map((e) => e.seq))).to.deep.equal([3]);
  });

  it('holds a refusal until its cseq mark is durable, and a restart remembers the refused cseq', async () => {
    const rig = await new Rig().start();
    const token = await rig.join(ann, 'ann', A);
    rig.saveSessions();
    rig.receive({ type: 'say', token, cseq: 1, target: 0, text: '' }, ann);
    expect(rig.take('error')).to.deep.equal([]);
    await rig.commit();
    expect(rig.take('error').map((e) => e.code)).to.deep.equal(['UDPCHAT_ERR_TEXT_INVALID']);
    await rig.restart();
    rig.receive({ type: 'say', token, cseq: 2, target: 0, text: 'after' }, ann);
    await rig.commit();
    expect(rig.take('ack').map((a) => a.cseq)).to.deep.equal([2]);
  });

  for (const step of ['before the write', 'after the write, before the flush', 'after the flush, before the ACK'] as const) {
    it(`recovers exactly from a crash ${step}: the resent message is acknowledged and stored once`, async () => {
      const rig = await new Rig().start();
      const token = await rig.join(ann, 'ann', A);
      rig.saveSessions();
      rig.receive({ type: 'say', token, cseq: 1, target: 0, text: 'one' }, ann);
      await rig.commit();
      rig.receive({ type: 'say', token, cseq: 2, target: 0, text: 'two' }, ann);
      if (step === 'after the write, before the flush') {
        rig.disk.failNext('sync');
        await rig.store.commit(rig.now).catch(() => undefined);
      } else if (step === 'after the flush, before the ACK') {
        await rig.store.commit(rig.now);
      }
      expect(rig.take('ack').map((a) => a.cseq)).to.deep.equal([1]);
      await rig.restart();
      // The client never saw cseq 2 acknowledged: it resends it, on its old session.
      rig.receive({ type: 'say', token, cseq: 2, target: 0, text: 'two' }, ann);
      await rig.commit();
      expect(rig.take('ack').map((a) => a.cseq)).to.deep.equal([2]);
      expect(rig.take('error')).to.deep.equal([]);
      expect(await rig.storedTexts()).to.deep.equal(['one', 'two']);
    });
  }

  it('continues a session after a restart with no leave or join entry (invisible restart)', async () => {
    const rig = await new Rig().start();
    const token = await rig.join(ann, 'ann', A);
    const instance = rig.core.instance;
    rig.saveSessions();
    const seq = rig.core.log.lastSeq;
    await rig.restart();
    expect(rig.core.instance.equals(instance)).to.equal(true);
    rig.receive({ type: 'ping', token, delivered: seq, echo: 7 }, ann);
    expect(rig.take('pong')).to.deep.equal([{ type: 'pong', lastSeq: seq, echo: 7 }]);
    expect(rig.take('error')).to.deep.equal([]);
    rig.core.tick(rig.now + 1_500);
    rig.drain();
    expect(rig.store.queued).to.equal(0);
    expect(rig.core.log.lastSeq).to.equal(seq);
  });

  it('ends at start, with a timeout leave, a restored session whose idle timeout passed while it was down', async () => {
    const rig = await new Rig().start();
    await rig.join(ann, 'ann', A);
    rig.saveSessions();
    await rig.restart();
    rig.now += 31_000;
    rig.core.tick(rig.now);
    rig.drain();
    expect(rig.take('bye').map((b) => b.reason)).to.deep.equal(['timeout']);
    await rig.commit();
    expect(rig.core.log.lastSeq).to.equal(2);
  });

  it('stops acknowledging while the disk is full and acknowledges everything once space returns', async () => {
    const rig = await new Rig().start();
    const token = await rig.join(ann, 'ann', A);
    rig.disk.capacity = [...rig.disk.files.values()].reduce((n, f) => n + f.data.length, 0) + 10;
    for (let cseq = 1; cseq <= 3; cseq++) rig.receive({ type: 'say', token, cseq, target: 0, text: `m${cseq}` }, ann);
    let code: string | undefined;
    await rig.commit().catch((e: NodeJS.ErrnoException) => (code = e.code));
    expect(code).to.equal('ENOSPC');
    expect(rig.take('ack')).to.deep.equal([]);
    // The client resends; nothing is acknowledged, nothing is doubled.
    rig.receive({ type: 'say', token, cseq: 1, target: 0, text: 'm1' }, ann);
    expect(rig.take('ack')).to.deep.equal([]);
    rig.disk.capacity = Infinity;
    await rig.commit();
    expect(rig.take('ack').map((a) => a.cseq)).to.deep.equal([3]);
    expect(await rig.storedTexts()).to.deep.equal(['m1', 'm2', 'm3']);
  });

  it('answers a NACK older than the in-memory log from the store, and HISTORY_GONE only below what the store keeps', async () => {
    const rig = await new Rig({ logEntries: 16, rate: 1000, burst: 1000 }).start();
    const token = await rig.join(ann, 'ann', A);
    for (let cseq = 1; cseq <= 60; cseq++) {
      rig.receive({ type: 'say', token, cseq, target: 0, text: `m${cseq}` }, ann);
      await rig.commit();
    }
    rig.sent = [];
    expect(rig.core.log.oldestSeq).to.equal(61 - 16 + 1);
    rig.receive({ type: 'nack', token, from: 2, to: 61 }, ann);
    expect(rig.take('error')).to.deep.equal([]);
    expect(rig.reads.map((r) => [r.from, r.to])).to.deep.equal([[2, 45]]);
    // A second NACK while the read runs is dropped (one read per session at a time).
    rig.receive({ type: 'nack', token, from: 2, to: 61 }, ann);
    expect(rig.reads).to.have.length(1);
    const read = rig.reads.shift() as StoreRead;
    rig.core.storedEntries(read, await rig.store.readEntries(read.from, read.to, read.maxBytes), rig.now);
    rig.drain();
    const seqs = rig.take('data').flatMap((d) => d.entries.map((e) => e.seq));
    expect(seqs).to.deep.equal(Array.from({ length: 44 }, (_, i) => i + 2));
    // Below what the store keeps: HISTORY_GONE naming the oldest entry it can send.
    rig.core.durable(rig.store.committed, rig.now, 30);
    rig.receive({ type: 'nack', token, from: 2, to: 61 }, ann);
    expect(rig.take('error').map((e) => [e.code, e.arg])).to.deep.equal([['UDPCHAT_ERR_HISTORY_GONE', 30]]);
  });

  it('resumes a rejoining client from the store when what it missed is older than memory', async () => {
    const rig = await new Rig({ logEntries: 16, rate: 1000, burst: 1000 }).start();
    const token = await rig.join(ann, 'ann', A);
    await rig.join(bob, 'bob', B);
    for (let cseq = 1; cseq <= 40; cseq++) {
      rig.receive({ type: 'say', token, cseq, target: 0, text: `m${cseq}` }, ann);
      await rig.commit();
    }
    rig.sent = [];
    // bob comes back from a new address, having delivered up to seq 3.
    const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId: B, resumeInstance: rig.core.instance, resumeSeq: 3, caps: 0, nick: 'bob' };
    const moved = { address: bob.address, port: 6002 };
    rig.receive(hello, moved);
    const [cookie] = rig.take('cookie');
    rig.receive({ ...hello, cookie: (cookie as { cookie: Buffer }).cookie }, moved);
    const [welcome] = rig.take('welcome');
    expect(welcome?.historyFrom).to.equal(4);
  });
});
