/**
 * Sealed sessions on real UDP sockets on 127.0.0.1 (issue 10's Tests): chat through a recording
 * proxy shows no readable text on the wire, and 100,000 forged datagrams of every server → client
 * type, sent from the server's own address and port to a sealed client, display nothing and
 * desynchronise nothing. Every wait is bounded; every socket is closed.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type dgram from 'node:dgram';
import { ChatClient } from '../../lib/client/chat-client.js';
import type { ClientEvent } from '../../lib/client/session-types.js';
import { encode, encodeData } from '../../lib/protocol/codec.js';
import { encodeEntry } from '../../lib/protocol/entry-codec.js';
import type { Message } from '../../lib/protocol/messages.js';
import { encodeHandshake2, envelopeHeader } from '../../lib/protocol/seal/envelope.js';
import { generateServerKeys, generateUserKey } from '../../lib/protocol/seal/identity.js';
import { RoomSealer } from '../../lib/protocol/seal/room-channel.js';
import { SessionChannel } from '../../lib/protocol/seal/session-channel.js';
import { ChatServer } from '../../lib/server/chat-server.js';
import { startFaultProxy } from '../support/fault-proxy.js';

function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (pred()) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

describe('sealed sessions on UDP', function () {
  this.timeout(60_000);
  const open: Array<() => unknown> = [];

  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close();
  });

  async function sealedServer(): Promise<ChatServer> {
    const s = await ChatServer.start({ host: '127.0.0.1', port: 0, seal: { keys: generateServerKeys(randomBytes) } });
    open.push(() => s.close());
    return s;
  }

  async function sealedClient(port: number, nick: string): Promise<{ c: ChatClient; events: ClientEvent[] }> {
    const c = new ChatClient({ server: `127.0.0.1:${port}`, nick, seal: { userKey: generateUserKey(randomBytes) } });
    const events: ClientEvent[] = [];
    c.on('event', (e: ClientEvent) => events.push(e));
    open.push(() => c.shutdown());
    await c.connect();
    c.join();
    await until(() => c.state === 'online', 5_000, `${nick} online`);
    return { c, events };
  }

  const texts = (events: ClientEvent[]): string[] => events.flatMap((e) => (e.type === 'message' ? [e.text] : []));

  it('chats sealed: what crosses the wire holds no readable text, nick or token', async function () {
    const server = await sealedServer();
    const wire: Buffer[] = [];
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: server.address().port }, seed: 1, onDatagram: (_d, _c, data) => wire.push(Buffer.from(data)) });
    open.push(() => proxy.close());
    const ann = await sealedClient(proxy.port, 'annabel');
    const bob = await sealedClient(proxy.port, 'bobbington');
    ann.c.say('the secret plan is at noon');
    await until(() => texts(bob.events).length === 1, 5_000, 'bob gets the message');
    expect(texts(bob.events)).to.deep.equal(['the secret plan is at noon']);
    expect(wire.length).to.be.above(6);
    for (const d of wire) {
      expect(d[3] === 0x7f || d[3] === 0xff, 'every datagram is SEALED').to.equal(true);
      for (const secret of ['secret plan', 'annabel', 'bobbington']) expect(d.includes(secret), secret).to.equal(false);
      expect(d.includes(ann.c.core.sender.sessionToken as Buffer)).to.equal(false);
    }
  });

  it('100,000 forged datagrams of every server → client type from the server\'s own address: nothing shown, nothing desynchronised', async function () {
    const server = await sealedServer();
    const port = server.address().port;
    const ann = await sealedClient(port, 'ann');
    const bob = await sealedClient(port, 'bob');
    bob.c.say('before');
    await until(() => texts(ann.events).length === 1, 5_000, 'the first message');
    const shown = ann.events.length;
    // The forger sends from the server's address and port: what a spoofing attacker off the path achieves.
    const forger = (server as unknown as { socket: dgram.Socket }).socket;
    const victim = (ann.c as unknown as { socket: dgram.Socket }).socket.address().port;
    const token = ann.c.core.sender.sessionToken as Buffer;
    const clientId = ann.c.core.clientId;
    const session = new SessionChannel({ sendKey: randomBytes(32), receiveKey: randomBytes(32) });
    const room = new RoomSealer(randomBytes(32), randomBytes(32));
    const forged = (i: number): Buffer[] => {
      const seq = 100_000 + i;
      const messages: Message[] = [
        { type: 'cookie', clientId, cookie: randomBytes(16) },
        { type: 'welcome', clientId, token, instance: randomBytes(8), historyFrom: seq, baseSeq: seq, ackedCseq: 0, heartbeatMs: 5000, idleTimeoutMs: 30000, maxText: 1000, caps: 0, nick: 'ann' },
        { type: 'ack', token, cseq: 50 + i },
        { type: 'sync', lastSeq: seq },
        { type: 'pong', lastSeq: seq, echo: i },
        { type: 'roster', asOfSeq: seq, page: 0, pages: 1, nicks: ['mallory'] },
        { type: 'bye', token, reason: 'timeout' },
        { type: 'error', ref: token, code: 'UDPCHAT_ERR_HISTORY_GONE', arg: seq, detail: 'forged' },
        { type: 'owner', token, bound: true, online: true, lastUsed: 0, key: randomBytes(32), nick: 'ann' },
        { type: 'offer', nonce: randomBytes(16), protocol: 1, port, users: 1, passphrase: false, name: 'evil' },
      ];
      const inner = encode({ type: 'sync', lastSeq: seq });
      return [
        ...messages.map((m) => encode(m)),
        encodeData(seq, [encodeEntry({ kind: 'msg', seq, time: 0, nick: 'mallory', target: 0, text: `forged ${i}` })]),
        session.seal(envelopeHeader('toClient', 'session', 1 + (i % 7)), inner),
        room.seal(envelopeHeader('toClient', 'room', 1), inner),
        encodeHandshake2(i, randomBytes(120)),
      ];
    };
    let sent = 0;
    for (let i = 0; sent < 100_000; i++) {
      const burst = forged(i);
      // Each burst sent before the next, and the client reads in between (its socket buffer is
      // 1 MiB): most forged datagrams reach it rather than the kernel's floor.
      await new Promise<void>((resolve) => {
        let left = burst.length;
        for (const d of burst) forger.send(d, victim, '127.0.0.1', () => --left === 0 && resolve());
      });
      sent += burst.length;
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 300));
    const drops = Object.values(ann.c.seal!.drops).reduce((a, b) => a + b, 0);
    expect(drops, 'forged datagrams that reached the client and were dropped').to.be.above(50_000);
    expect(ann.events.slice(shown).filter((e) => e.type === 'message' || e.type === 'notice' || e.type === 'closed' || e.type === 'presence')).to.deep.equal([]);
    expect(ann.c.state).to.equal('online');
    expect(ann.c.core.feed.delivered).to.be.below(100);
    // Not desynchronised: the next real messages arrive, in order, and nothing was NACKed for forged seqs.
    for (const t of ['after 1', 'after 2', 'after 3']) bob.c.say(t);
    await until(() => texts(ann.events).length === 4, 5_000, 'the messages after the forgery');
    expect(texts(ann.events)).to.deep.equal(['before', 'after 1', 'after 2', 'after 3']);
    expect(server.stats.drops['repair-budget'] ?? 0).to.equal(0);
  });
});
