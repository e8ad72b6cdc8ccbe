/**
 * History paging end to end (issue 9 item 7; docs/protocol.md §6.1.11, §6.2.11): a real server on
 * 127.0.0.1 port 0 whose store holds 10,000 entries (more than its in-memory log, in several
 * segments) and a real client that pages back to the first one over UDP — every entry exactly once,
 * in order — and `udp-chat join --plain --history N` printing exactly the last N messages.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../lib/client/chat-client.js';
import type { ClientEvent } from '../../lib/client/session-types.js';
import { encodeEntry } from '../../lib/protocol/entry-codec.js';
import type { Entry } from '../../lib/protocol/messages.js';
import { ChatServer } from '../../lib/server/chat-server.js';
import { generateServerKeys, generateUserKey } from '../../lib/protocol/seal/identity.js';
import { randomBytes } from 'node:crypto';
import { openStore } from '../../lib/server/store/open-store.js';
import { chatMessages, cleanupAll, startClient } from '../support/processes.js';

const ENTRIES = 10_000;
const T0 = Date.UTC(2026, 0, 1);
const SETTINGS = { keep: 100_000, tailEntries: 8192, segmentEntries: 1500 };

/** Entry `seq` of the preloaded room: mostly messages of varied length from three people, a join or leave now and then. */
function entryAt(seq: number): Entry {
  const nick = ['alice', 'bob', 'Борис'][seq % 3] as string;
  const time = T0 + seq * 1000;
  if (seq % 97 === 0) return { kind: 'join', seq, time, nick };
  if (seq % 101 === 0) return { kind: 'leave', seq, time, nick, reason: 'quit' };
  const text = seq % 50 === 0 ? `long ${seq} ${'x'.repeat(700)}` : `message ${seq}${'.'.repeat(seq % 23)}`;
  return { kind: 'msg', seq, time, nick, target: 0, text };
}

/** Writes ENTRIES entries into a new store in `dir`, as a server that had run before would have. */
async function preload(dir: string): Promise<void> {
  const handle = await openStore(dir, { ...SETTINGS, random: (n) => Buffer.alloc(n, 7) });
  for (let seq = 1; seq <= ENTRIES; seq += 1000) {
    const records = [];
    for (let s = seq; s < seq + 1000; s++) records.push({ kind: 'entry' as const, seq: s, bytes: encodeEntry(entryAt(s)) });
    handle.log.add(records);
    await handle.log.commit(T0);
  }
  await handle.close();
}

/** Resolves with the first event `pick` accepts (bounded by `ms`). */
function nextEvent<T>(client: ChatClient, pick: (e: ClientEvent) => T | undefined, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('event', on);
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const on = (e: ClientEvent): void => {
      const v = pick(e);
      if (v === undefined) return;
      clearTimeout(timer);
      client.off('event', on);
      resolve(v);
    };
    client.on('event', on);
  });
}

describe('history paging end to end', function () {
  this.timeout(60_000);
  let dir: string;
  let server: ChatServer | undefined;
  const clients: ChatClient[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'udpchat-paging-'));
    await preload(dir);
    // Sealed, as `udp-chat serve` is: the CLI reader below speaks nothing else.
    server = await ChatServer.start({ host: '127.0.0.1', port: 0, seal: { keys: generateServerKeys(randomBytes) }, store: await openStore(dir, { ...SETTINGS, random: (n) => Buffer.alloc(n, 8) }) });
    expect(server.core.log.lastSeq).to.equal(ENTRIES);
    expect(server.core.log.oldestSeq, 'older entries than memory holds').to.be.above(1);
  });

  afterEach(async function () {
    for (const c of clients.splice(0)) await c.leave();
    await cleanupAll({ dumpOutput: this.currentTest?.state === 'failed' });
  });

  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages a newcomer back from its history to the first of 10,000 entries: complete, in order, nothing twice', async () => {
    const client = new ChatClient({ server: `127.0.0.1:${(server as ChatServer).address().port}`, nick: 'pager', seal: { userKey: generateUserKey(randomBytes) } });
    clients.push(client);
    const replayed: number[] = [];
    client.on('event', (e: ClientEvent) => {
      if ((e.type === 'message' || e.type === 'presence') && e.history) replayed.push(e.seq);
    });
    await client.connect();
    const joined = nextEvent(client, (e) => (e.type === 'joined' ? e : undefined), 10_000, 'joined');
    client.join();
    await joined;
    // The newcomer's replay (50 messages) ends with entry 10,000.
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`replay incomplete: ${replayed.length} entries`)), 10_000);
      const check = setInterval(() => {
        if (replayed.at(-1) === ENTRIES) {
          clearInterval(check);
          clearTimeout(deadline);
          resolve();
        }
      }, 5);
    });
    const pages: number[][] = [];
    const started = Date.now();
    let end: string | undefined;
    while (end === undefined) {
      const answer = nextEvent(client, (e) => (e.type === 'older' ? { seqs: e.entries.map((x) => x.seq) } : e.type === 'no-older' ? { why: e.why } : undefined), 10_000, `page ${pages.length + 1}`);
      client.loadOlder();
      const got = await answer;
      if ('why' in got) end = got.why;
      else pages.push(got.seqs);
    }
    const ms = Date.now() - started;
    expect(end).to.equal('start');
    // Each page ends just before the previous one began; all together with the replay: 1…10,000 once each.
    const all = [...pages.slice().reverse().flat(), ...replayed];
    expect(all.length, 'nothing twice').to.equal(new Set(all).size);
    expect(all).to.deep.equal(Array.from({ length: ENTRIES }, (_, i) => i + 1));
    for (const p of pages) expect(p, 'each page in order').to.deep.equal([...p].sort((a, b) => a - b));
    const stats = (server as ChatServer).stats;
    console.log(`      paged ${ENTRIES - replayed.length} entries in ${pages.length} pages in ${ms} ms; server drops: ${JSON.stringify(stats.drops)}`);
  });

  it('udp-chat join --plain --history 300 prints exactly the last 300 messages, in order, then goes on', async () => {
    const port = (server as ChatServer).address().port;
    const reader = await startClient('reader', port, { extraArgs: ['--history', '300'], timeoutMs: 20_000 });
    await reader.waitForLine((l) => l === '-- end of history --', 20_000);
    const history = chatMessages(reader.stdout).filter((m) => m.history);
    const expected = Array.from({ length: ENTRIES }, (_, i) => entryAt(i + 1))
      .flatMap((e) => (e.kind === 'msg' ? [e] : []))
      .slice(-300);
    expect(history.map((m) => m.text)).to.deep.equal(expected.map((e) => e.text));
    expect(history.map((m) => m.nick)).to.deep.equal(expected.map((e) => e.nick));
    reader.end();
    expect((await reader.exitCode(10_000)).code, reader.explain('exit')).to.equal(0);
  });
});
