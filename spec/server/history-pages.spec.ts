/**
 * HISTORY and PAGE in the sans-I/O server core (docs/protocol.md §6.1.11, capability bit 1): pages
 * only to sessions that enabled the bit, ordered and complete back to the first entry, retention,
 * refusals, pacing within the paging allowance and the repair budget, pages from the store, and the
 * caps a session keeps across a restart.
 */
import { expect } from 'chai';
import { decode, encode } from '../../lib/protocol/codec.js';
import { CAP_HISTORY } from '../../lib/protocol/history-codec.js';
import type { HistoryMessage, Message, PageMessage, WelcomeMessage } from '../../lib/protocol/messages.js';
import { CAP_IDENTITY } from '../../lib/protocol/whois-codec.js';
import { MAX_PAGE_ENTRIES, PAGE_BURST_BYTES, PAGE_RATE_BYTES } from '../../lib/server/history-pages.js';
import type { PeerAddress } from '../../lib/server/peer-address.js';
import { REPAIR_ALLOWANCE_BYTES } from '../../lib/server/repair-budget.js';
import { persistedSessions } from '../../lib/server/restore-state.js';
import { ServerCore } from '../../lib/server/server-core.js';
import type { ServerOptions } from '../../lib/server/server-options.js';
import type { StoreRead } from '../../lib/server/staged-log.js';
import { LogStore } from '../../lib/server/store/log-store.js';
import { MemoryDisk } from '../support/memory-disk.js';
import { seededBytes } from '../support/sim-network.js';

const T0 = 1_700_000_000_000;
const ann: PeerAddress = { address: '192.0.2.1', port: 5001 };
const bob: PeerAddress = { address: '192.0.2.2', port: 5002 };
const eve: PeerAddress = { address: '198.51.100.9', port: 6666 };

interface Sent {
  to: PeerAddress[];
  m: Message;
  bytes: number;
}

function drain(server: ServerCore): Sent[] {
  return server.drain().datagrams.map((d) => ({ to: Array.isArray(d.to) ? [...(d.to as PeerAddress[])] : [d.to as PeerAddress], m: decode(d.data), bytes: d.data.length }));
}

function pagesIn(sent: readonly Sent[]): PageMessage[] {
  return sent.flatMap((s) => (s.m.type === 'page' ? [s.m] : []));
}

/** Joins through the cookie round trip with `caps`; returns the WELCOME. */
function join(server: ServerCore, from: PeerAddress, nick: string, caps: number, now = T0): WelcomeMessage {
  const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId: Buffer.alloc(16, nick.charCodeAt(0)), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps, nick };
  server.receive(encode(hello), from, now);
  const cookie = drain(server).find((s) => s.m.type === 'cookie');
  if (cookie?.m.type !== 'cookie') throw new Error('no cookie');
  server.receive(encode({ ...hello, cookie: cookie.m.cookie }), from, now);
  server.flush(now);
  const welcome = drain(server).find((s) => s.m.type === 'welcome');
  if (welcome === undefined) throw new Error('no welcome');
  return welcome.m as WelcomeMessage;
}

/** A room whose log holds `messages` chat messages from ann (seq 1 is ann's join), and bob joined with `caps`. */
function room(messages: number, caps = CAP_HISTORY, options: Partial<ServerOptions> = {}): { server: ServerCore; bobToken: Buffer; lastSeq: number; now: number } {
  const server = new ServerCore({ rate: 1e6, burst: 1e6, hardRate: 1e6, hardBurst: 1e6, ...options, random: seededBytes(5), now: T0 });
  const annToken = join(server, ann, 'ann', 0).token;
  for (let cseq = 1; cseq <= messages; cseq++) server.receive(encode({ type: 'say', token: annToken, cseq, target: 0, text: `message ${cseq}` }), ann, T0 + 1);
  server.flush(T0 + 1);
  drain(server);
  const bobToken = join(server, bob, 'bob', caps, T0 + 2).token;
  drain(server);
  return { server, bobToken, lastSeq: server.log.lastSeq, now: T0 + 3 };
}

const history = (token: Buffer, before: number, count = 255): HistoryMessage => ({ type: 'history', token, before, count });

describe('ServerCore history pages (§6.1.11)', () => {
  describe('capability bit 1', () => {
    it('enables in WELCOME the bits the JOIN set that the server supports, both together', () => {
      const server = new ServerCore({ random: seededBytes(1), now: T0 });
      expect(join(server, ann, 'ann', CAP_HISTORY | CAP_IDENTITY).caps).to.equal(CAP_HISTORY | CAP_IDENTITY);
      expect(join(server, bob, 'bob', CAP_HISTORY | (1 << 3) | (1 << 9)).caps, 'unknown bits are ignored').to.equal(CAP_HISTORY);
      expect(join(server, eve, 'eve', 0).caps).to.equal(0);
    });

    it('never sends a PAGE to a session that did not announce bit 1: its HISTORY is a counted drop', () => {
      const { server, bobToken, lastSeq, now } = room(10, CAP_IDENTITY);
      server.receive(encode(history(bobToken, lastSeq + 1)), bob, now);
      server.tick(now + 1000);
      expect(pagesIn(drain(server))).to.deep.equal([]);
      expect(server.stats.drops['history-not-enabled']).to.equal(1);
    });

    it('answers nobody but a validated session: a wrong token is dropped, an unknown address gets at most UNKNOWN_SESSION', () => {
      const { server, bobToken, lastSeq, now } = room(10);
      server.receive(encode(history(Buffer.alloc(16, 9), lastSeq + 1)), bob, now);
      expect(server.stats.drops['bad-token']).to.equal(1);
      server.receive(encode(history(bobToken, lastSeq + 1)), eve, now);
      const sent = drain(server);
      expect(pagesIn(sent)).to.deep.equal([]);
      for (const s of sent) expect(s.bytes, 'never more than the 29-byte request').to.be.at.most(29);
      expect(sent.every((s) => s.m.type === 'error' && s.m.code === 'UDPCHAT_ERR_UNKNOWN_SESSION')).to.equal(true);
    });
  });

  describe('pages', () => {
    it('pages back to the first entry: complete, in order, nothing twice, the last one marked oldest', () => {
      const { server, bobToken, lastSeq, now } = room(1000);
      const seen: number[] = [];
      let before = lastSeq + 1;
      let t = now;
      for (let i = 0; i < 200; i++) {
        server.receive(encode(history(bobToken, before)), bob, t);
        server.tick(t);
        const pages = pagesIn(drain(server));
        expect(pages, `one PAGE for before=${before}`).to.have.length(1);
        const page = pages[0] as PageMessage;
        expect(page.token.equals(bobToken)).to.equal(true);
        expect(page.before).to.equal(before);
        seen.unshift(...page.entries.map((e) => e.seq));
        if (page.oldest) {
          expect(page.gone).to.equal(false);
          break;
        }
        before = page.before - page.entries.length;
        t += 20;
      }
      expect(seen).to.deep.equal(Array.from({ length: lastSeq }, (_, i) => i + 1));
      // Asking before the first entry: an empty page that says so again.
      server.receive(encode(history(bobToken, 1)), bob, t + 20);
      expect(pagesIn(drain(server))).to.deep.equal([{ type: 'page', token: bobToken, before: 1, oldest: true, gone: false, entries: [] }]);
    });

    it('fills a page newest first up to 1200 bytes and at most `count` entries', () => {
      const { server, bobToken, lastSeq, now } = room(300);
      server.receive(encode(history(bobToken, lastSeq + 1)), bob, now);
      const [full] = drain(server);
      expect(full?.m.type).to.equal('page');
      expect(full?.bytes).to.be.at.most(1200).and.above(1200 - 30);
      expect((full?.m as PageMessage).entries.at(-1)?.seq).to.equal(lastSeq);
      server.receive(encode(history(bobToken, 101, 5)), bob, now + 100);
      expect(pagesIn(drain(server))[0]?.entries.map((e) => e.seq)).to.deep.equal([96, 97, 98, 99, 100]);
      expect(MAX_PAGE_ENTRIES).to.equal(130);
    });

    it('drops a HISTORY about entries that do not exist yet', () => {
      const { server, bobToken, lastSeq, now } = room(5);
      server.receive(encode(history(bobToken, lastSeq + 2)), bob, now);
      expect(pagesIn(drain(server))).to.deep.equal([]);
      expect(server.stats.drops['history-ahead']).to.equal(1);
    });

    it('says once the rest is beyond retention (oldest and gone), and answers before it with an empty gone page', () => {
      const { server, bobToken, lastSeq, now } = room(100, CAP_HISTORY, { logEntries: 64 });
      const oldestKept = server.log.oldestKept;
      expect(oldestKept).to.equal(lastSeq - 63);
      let before = lastSeq + 1;
      let last: PageMessage | undefined;
      for (let t = now; last?.oldest !== true; t += 50) {
        server.receive(encode(history(bobToken, before)), bob, t);
        last = pagesIn(drain(server))[0];
        if (last === undefined) throw new Error('no page');
        before = last.before - last.entries.length;
      }
      expect(last.entries[0]?.seq).to.equal(oldestKept);
      expect(last.gone, 'older entries existed').to.equal(true);
      server.receive(encode(history(bobToken, oldestKept - 5)), bob, now + 10_000);
      expect(pagesIn(drain(server))).to.deep.equal([{ type: 'page', token: bobToken, before: oldestKept - 5, oldest: true, gone: true, entries: [] }]);
    });
  });

  describe('pacing and budget', () => {
    it('paces pages past the paging allowance and repair budget: held, one at a time, sent when the allowance refills', () => {
      const { server, bobToken, lastSeq } = room(2000);
      let t = T0 + 10;
      let sentBytes = 0;
      let held = false;
      for (let i = 0; i < 400 && !held; i++) {
        server.receive(encode(history(bobToken, lastSeq + 1)), bob, t);
        const pages = drain(server).filter((s) => s.m.type === 'page');
        if (pages.length === 0) held = true;
        for (const p of pages) sentBytes += p.bytes;
      }
      expect(held, 'a page is held once allowance and budget run out').to.equal(true);
      expect(sentBytes).to.be.at.most(PAGE_BURST_BYTES + REPAIR_ALLOWANCE_BYTES + 2000 * 40);
      // One page at a time: another request meanwhile is dropped.
      server.receive(encode(history(bobToken, lastSeq + 1)), bob, t);
      expect(server.stats.drops['history-busy']).to.equal(1);
      const due = server.nextDeadline(t);
      expect(due - t, 'a full page waits about 10 ms').to.be.within(1, 10);
      server.tick(due);
      expect(pagesIn(drain(server))).to.have.length(1);
      // Over a further second of asking as fast as answered, no more than the allowance's rate.
      let paced = 0;
      const start = due;
      for (t = due; t < start + 1000; ) {
        // The client asks again 1 ms after each PAGE (its round trip); a held page goes at its deadline.
        server.receive(encode(history(bobToken, lastSeq + 1)), bob, t);
        server.tick(t);
        let got = false;
        for (const p of drain(server)) if (p.m.type === 'page') (paced += p.bytes), (got = true);
        t = got ? t + 1 : Math.max(t + 1, server.nextDeadline(t));
      }
      expect(paced).to.be.at.most((PAGE_RATE_BYTES * 1000) / 1000 + 1200);
      expect(paced, 'yet it keeps paging').to.be.above(PAGE_RATE_BYTES / 2);
      expect(server.stats.drops['hard-limit']).to.equal(undefined);
      expect(server.sessions.size).to.equal(2);
    });

    it('forgets a held page when the session ends', () => {
      const { server, bobToken, lastSeq } = room(2000);
      const t = T0 + 10;
      for (let i = 0; i < 400; i++) server.receive(encode(history(bobToken, lastSeq + 1)), bob, t);
      drain(server);
      server.receive(encode({ type: 'leave', token: bobToken }), bob, t);
      drain(server);
      server.tick(t + 1000);
      expect(pagesIn(drain(server))).to.deep.equal([]);
      expect(server.nextDeadline(t + 1000)).to.be.below(Infinity);
    });
  });

  describe('with the store', () => {
    async function durableRoom(
      messages: number,
    ): Promise<{ server: ServerCore; store: LogStore; bobToken: Buffer; reads: StoreRead[]; disk: MemoryDisk; now: number; take: () => Sent[] }> {
      const disk = new MemoryDisk();
      const { store, recovered } = await LogStore.open(disk, { keep: 100_000, tailEntries: 8192, random: seededBytes(1) });
      const restore = { instance: recovered.instance, lastSeq: recovered.lastSeq, oldestStored: recovered.oldestSeq, tail: recovered.tail, cseqs: recovered.cseqs, sessions: [] };
      const server = new ServerCore({ logEntries: 32, rate: 1e6, burst: 1e6, hardRate: 1e6, hardBurst: 1e6, random: seededBytes(3), now: T0, persistent: true, restore });
      const reads: StoreRead[] = [];
      const pump = async (): Promise<Sent[]> => {
        const { datagrams, records, reads: r } = server.drain();
        store.add(records);
        reads.push(...r);
        await store.commit(T0);
        server.durable(store.committed, T0, store.oldestSeq);
        const more = server.drain();
        reads.push(...more.reads);
        return [...datagrams, ...more.datagrams].map((d) => ({ to: [], m: decode(d.data), bytes: d.data.length }));
      };
      const joinDurable = async (from: PeerAddress, nick: string, caps: number): Promise<Buffer> => {
        const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId: Buffer.alloc(16, nick.charCodeAt(0)), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps, nick };
        server.receive(encode(hello), from, T0);
        const cookie = (await pump()).find((s) => s.m.type === 'cookie')?.m;
        if (cookie?.type !== 'cookie') throw new Error('no cookie');
        server.receive(encode({ ...hello, cookie: cookie.cookie }), from, T0);
        const welcome = (await pump()).find((s) => s.m.type === 'welcome')?.m;
        if (welcome?.type !== 'welcome') throw new Error('no welcome');
        return welcome.token;
      };
      const annToken = await joinDurable(ann, 'ann', 0);
      for (let cseq = 1; cseq <= messages; cseq++) server.receive(encode({ type: 'say', token: annToken, cseq, target: 0, text: `m${cseq}` }), ann, T0);
      await pump();
      const bobToken = await joinDurable(bob, 'bob', CAP_HISTORY);
      await pump();
      /** The datagrams queued now; store reads go to `reads`. */
      const take = (): Sent[] => {
        const { datagrams, reads: r } = server.drain();
        reads.push(...r);
        return datagrams.map((d) => ({ to: [], m: decode(d.data), bytes: d.data.length }));
      };
      return { server, store, bobToken, reads, disk, now: T0 + 1, take };
    }

    it('answers from the store what is older than memory, through one read at a time, back to the first entry', async () => {
      const { server, store, bobToken, reads, now, take } = await durableRoom(200);
      expect(server.log.oldestSeq).to.be.above(100);
      const seen: number[] = [];
      let before = server.log.lastSeq + 1;
      for (let i = 0; i < 100; i++) {
        server.receive(encode(history(bobToken, before)), bob, now);
        let pages = pagesIn(take());
        if (pages.length === 0) {
          expect(reads, 'a read for the shell').to.have.length(1);
          server.receive(encode(history(bobToken, before)), bob, now);
          expect(take()).to.deep.equal([]);
          expect(server.stats.drops['history-busy'], 'one read per session at a time').to.be.at.least(1);
          const answered: Sent[] = [];
          while (reads.length > 0) {
            const read = reads.shift() as StoreRead;
            expect(read.page).to.equal(true);
            server.storedEntries(read, await store.readEntries(read.from, read.to, read.maxBytes), now);
            answered.push(...take());
          }
          server.tick(now + 100);
          pages = pagesIn([...answered, ...take()]);
        }
        const page = pages[0] as PageMessage;
        expect(page.before).to.equal(before);
        seen.unshift(...page.entries.map((e) => e.seq));
        if (page.oldest) break;
        before -= page.entries.length;
      }
      expect(seen).to.deep.equal(Array.from({ length: server.log.lastSeq }, (_, i) => i + 1));
    });

    it('reads on into the next segment when a read stops at a segment end', async () => {
      const { server, bobToken, reads, now, take } = await durableRoom(200);
      server.receive(encode(history(bobToken, 60, 20)), bob, now);
      take();
      const read = reads.shift() as StoreRead;
      expect([read.from, read.to]).to.deep.equal([40, 59]);
      const entry = (seq: number): { seq: number; bytes: Buffer } => ({ seq, bytes: server.log.bytesOf(server.log.lastSeq)! });
      // The first segment ends at 49: the page cannot end just before 60 yet.
      server.storedEntries(read, Array.from({ length: 10 }, (_, i) => entry(40 + i)), now);
      const more = server.drain();
      expect(pagesIn(more.datagrams.map((d) => ({ to: [], m: decode(d.data), bytes: d.data.length })))).to.deep.equal([]);
      expect(more.reads.map((r) => [r.from, r.to])).to.deep.equal([[50, 59]]);
      server.storedEntries(more.reads[0] as StoreRead, Array.from({ length: 10 }, (_, i) => entry(50 + i)), now);
      expect(pagesIn(drain(server))[0]?.entries.map((e) => e.seq)).to.deep.equal([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    });

    it('drops a page whose read failed (the client asks again) and frees the session for the next one', async () => {
      const { server, bobToken, reads, now, take } = await durableRoom(200);
      server.receive(encode(history(bobToken, 60, 20)), bob, now);
      take();
      server.storedEntries(reads.shift() as StoreRead, [], now);
      expect(server.stats.drops['history-read-failed']).to.equal(1);
      server.receive(encode(history(bobToken, 60, 20)), bob, now);
      expect(server.drain().reads).to.have.length(1);
    });

    it('keeps the caps a session joined with across a restart', async () => {
      const { server, store, bobToken, disk } = await durableRoom(10);
      const sessions = persistedSessions(server.sessions);
      expect(sessions.find((s) => s.nick === 'bob')?.caps).to.equal(CAP_HISTORY);
      await store.close();
      const reopened = await LogStore.open(disk, { keep: 100_000, tailEntries: 8192, random: seededBytes(1) });
      const { recovered } = reopened;
      const restore = { instance: recovered.instance, lastSeq: recovered.lastSeq, oldestStored: recovered.oldestSeq, tail: recovered.tail, cseqs: recovered.cseqs, sessions };
      const again = new ServerCore({ random: seededBytes(4), now: T0 + 5, persistent: true, restore });
      again.receive(encode(history(bobToken, again.log.lastSeq + 1)), bob, T0 + 6);
      const [page] = pagesIn(drain(again));
      expect(page?.entries.at(-1)?.seq).to.equal(again.log.lastSeq);
      await reopened.store.close();
    });
  });
});
