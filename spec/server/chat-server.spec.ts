/**
 * ChatServer, the server shell, on a real UDP socket on 127.0.0.1 port 0, spoken to with the
 * codec from a plain dgram socket. Every wait is bounded; every socket is closed after each test.
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { decode, encode } from '../../lib/protocol/codec.js';
import { LocalError } from '../../lib/protocol/local-error.js';
import type { Message } from '../../lib/protocol/messages.js';
import { ChatServer } from '../../lib/server/chat-server.js';

const ZERO16 = Buffer.alloc(16);

/** A bare UDP peer that speaks the protocol by hand. */
class Peer {
  readonly socket = dgram.createSocket('udp4');
  private readonly inbox: Message[] = [];
  private waiting: (() => void) | undefined;

  async open(): Promise<this> {
    this.socket.on('message', (b) => {
      this.inbox.push(decode(b));
      this.waiting?.();
    });
    this.socket.bind(0, '127.0.0.1');
    await once(this.socket, 'listening');
    return this;
  }

  send(m: Message, port: number): void {
    this.socket.send(encode(m), port, '127.0.0.1');
  }

  /** The next received message of `type`, within `ms`. */
  async next<T extends Message['type']>(type: T, ms = 3_000): Promise<Extract<Message, { type: T }>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Extract<Message, { type: T }>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} within ${ms} ms (got: ${this.inbox.map((m) => m.type).join(', ') || 'nothing'})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiting = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

describe('ChatServer', function () {
  this.timeout(10_000);
  const open: Array<{ close(): unknown }> = [];

  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  async function server(): Promise<ChatServer> {
    const s = await ChatServer.start({ host: '127.0.0.1', port: 0 });
    open.push(s);
    return s;
  }

  async function peer(): Promise<Peer> {
    const p = await new Peer().open();
    open.push(p);
    return p;
  }

  /** JOIN → COOKIE → JOIN with the cookie → WELCOME. */
  async function join(p: Peer, port: number, nick: string): Promise<Extract<Message, { type: 'welcome' }>> {
    const clientId = Buffer.alloc(16, nick.charCodeAt(0));
    const hello = { type: 'join', cookie: ZERO16, clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick } as const;
    p.send(hello, port);
    const { cookie } = await p.next('cookie');
    p.send({ ...hello, cookie }, port);
    return p.next('welcome');
  }

  describe('.start', () => {
    it('binds to the port it is given (0: any free one) and reports the real address', async () => {
      const s = await server();
      expect(s.address().address).to.equal('127.0.0.1');
      expect(s.address().port).to.be.within(1, 65535);
    });

    it('rejects with a LocalError UDPCHAT_ERR_ADDRESS_IN_USE when the port is taken', async () => {
      const s = await server();
      const err: unknown = await ChatServer.start({ host: '127.0.0.1', port: s.address().port }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(LocalError);
      expect((err as LocalError).code).to.equal('UDPCHAT_ERR_ADDRESS_IN_USE');
      expect((err as LocalError).message).to.include(`127.0.0.1:${s.address().port}`);
    });

    it('rejects with a LocalError UDPCHAT_ERR_BAD_ADDRESS when the host cannot be bound', async () => {
      const err: unknown = await ChatServer.start({ host: '192.0.2.1', port: 0 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(LocalError);
      expect((err as LocalError).code).to.equal('UDPCHAT_ERR_BAD_ADDRESS');
    });
  });

  describe('serving', () => {
    it('lets a peer join over the socket and emits a join event', async () => {
      const s = await server();
      const p = await peer();
      const joined = once(s, 'join');
      const welcome = await join(p, s.address().port, 'ann');
      expect(welcome.nick).to.equal('ann');
      const [event] = (await joined) as [{ nick: string; address: { port: number } }];
      expect(event.nick).to.equal('ann');
      expect(event.address.port).to.equal(p.socket.address().port);
      expect(s.stats.received).to.equal(2);
    });

    it('fans a message out to every member and acknowledges it to its sender', async () => {
      const s = await server();
      const port = s.address().port;
      const [a, b] = [await peer(), await peer()];
      const wa = await join(a, port, 'ann');
      await join(b, port, 'bob');
      a.send({ type: 'say', token: wa.token, cseq: 1, target: 0, text: 'hello' }, port);
      expect((await a.next('ack')).cseq).to.equal(1);
      for (;;) {
        const data = await b.next('data');
        const said = data.entries.find((e) => e.kind === 'msg');
        if (said === undefined) continue;
        expect(said).to.include({ nick: 'ann', text: 'hello' });
        break;
      }
    });

    it('keeps its timer while messages come one per turn (no re-arm per flush), and still sends the tail SYNC', async () => {
      // Flood limit out of the way: a throttled session rightly needs its own timer.
      const s = await ChatServer.start({ host: '127.0.0.1', port: 0, rate: 1000, burst: 1000 });
      open.push(s);
      const port = s.address().port;
      const a = await peer();
      const wa = await join(a, port, 'ann');
      const realSetTimeout = globalThis.setTimeout;
      let armed = 0;
      globalThis.setTimeout = ((fn: () => void, ms?: number) => {
        if (new Error().stack?.includes('.arm') === true) armed++;
        return realSetTimeout(fn, ms);
      }) as typeof setTimeout;
      try {
        // Each SAY waits for its ACK: one message per event-loop turn, each fan-out moving the tail SYNC later.
        for (let cseq = 1; cseq <= 30; cseq++) {
          a.send({ type: 'say', token: wa.token, cseq, target: 0, text: `m${cseq}` }, port);
          expect((await a.next('ack')).cseq).to.equal(cseq);
        }
      } finally {
        globalThis.setTimeout = realSetTimeout;
      }
      // Re-armed only when the timer fired (early, at a SYNC time since pushed back): far fewer than 30.
      expect(armed).to.be.below(10);
      const sync = await a.next('sync', 2_000);
      expect(sync.lastSeq).to.equal(s.core.log.lastSeq);
    });

    it('counts a datagram that does not decode as a drop and answers nothing', async () => {
      const s = await server();
      const p = await peer();
      p.socket.send(Buffer.from('not udp-chat at all'), s.address().port, '127.0.0.1');
      const deadline = Date.now() + 3_000;
      while (s.stats.received === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(s.stats.drops['UDPCHAT_ERR_BAD_MAGIC']).to.equal(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(s.stats.datagramsOut).to.equal(0);
    });
  });

  describe('#close', () => {
    it('says BYE(shutdown) to every member, closes the socket, and is idempotent', async () => {
      const s = await ChatServer.start({ host: '127.0.0.1', port: 0 });
      const p = await peer();
      const w = await join(p, s.address().port, 'ann');
      const first = s.close();
      expect(s.close()).to.equal(first);
      await first;
      const bye = await p.next('bye');
      expect(bye.reason).to.equal('shutdown');
      expect(bye.token.equals(w.token)).to.equal(true);
      expect(() => s.address()).to.throw();
    });

    it('hands nothing received after close() starts to the core', async () => {
      const s = await ChatServer.start({ host: '127.0.0.1', port: 0 });
      const p = await peer();
      const port = s.address().port;
      const closing = s.close();
      p.send({ type: 'join', cookie: ZERO16, clientId: Buffer.alloc(16, 1), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'late' }, port);
      await closing;
      expect(s.stats.received).to.equal(0);
    });
  });
});
