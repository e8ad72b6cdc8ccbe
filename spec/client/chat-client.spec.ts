/**
 * ChatClient, the client shell, on a real UDP socket against a real ChatServer on 127.0.0.1
 * port 0. Every wait is bounded; every client and server is closed after each test.
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { ChatClient } from '../../lib/client/chat-client.js';
import type { ClientEvent } from '../../lib/client/session-types.js';
import { LocalError } from '../../lib/protocol/local-error.js';
import { ChatServer } from '../../lib/server/chat-server.js';

/** The first event matching `pred` (already emitted or still to come), within `ms`. */
function event<T extends ClientEvent>(client: ChatClient, seen: ClientEvent[], pred: (e: ClientEvent) => e is T, ms = 5_000): Promise<T> {
  const found = seen.find(pred);
  if (found !== undefined) return Promise.resolve(found);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('event', on);
      reject(new Error(`no matching event within ${ms} ms; saw ${seen.map((e) => e.type).join(', ')}`));
    }, ms);
    const on = (e: ClientEvent): void => {
      if (!pred(e)) return;
      clearTimeout(timer);
      client.off('event', on);
      resolve(e);
    };
    client.on('event', on);
  });
}

const is =
  <K extends ClientEvent['type']>(type: K, extra: (e: Extract<ClientEvent, { type: K }>) => boolean = () => true) =>
  (e: ClientEvent): e is Extract<ClientEvent, { type: K }> =>
    e.type === type && extra(e as Extract<ClientEvent, { type: K }>);

describe('ChatClient', function () {
  this.timeout(15_000);
  const open: Array<() => unknown> = [];

  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close();
  });

  async function server(): Promise<ChatServer> {
    const s = await ChatServer.start({ host: '127.0.0.1', port: 0 });
    open.push(() => s.close());
    return s;
  }

  /** A connected client recording its events. */
  async function client(port: number, nick: string, joinTimeoutMs?: number): Promise<{ c: ChatClient; events: ClientEvent[] }> {
    const c = new ChatClient({ server: `127.0.0.1:${port}`, nick, ...(joinTimeoutMs === undefined ? {} : { joinTimeoutMs }) });
    const events: ClientEvent[] = [];
    c.on('event', (e: ClientEvent) => events.push(e));
    open.push(() => c.shutdown());
    await c.connect();
    return { c, events };
  }

  it('refuses an unparsable server address with a LocalError at construction', () => {
    expect(() => new ChatClient({ server: 'host:99999', nick: 'a' }))
      .to.throw(LocalError)
      .with.property('code', 'UDPCHAT_ERR_BAD_ADDRESS');
  });

  it('rejects connect() with UDPCHAT_ERR_BAD_ADDRESS for a host that does not resolve', async () => {
    const c = new ChatClient({ server: 'no-such-host.invalid', nick: 'a' });
    const err: unknown = await c.connect().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LocalError);
    expect((err as LocalError).code).to.equal('UDPCHAT_ERR_BAD_ADDRESS');
  });

  it('rejects connect() with UDPCHAT_ERR_BAD_ADDRESS, saying why, when the system refuses the address (a broadcast address)', async () => {
    // Linux refuses to connect a UDP socket to a broadcast address without SO_BROADCAST (EACCES),
    // as it refuses one with no route (ENETUNREACH): Node reports both to connect's callback.
    const c = new ChatClient({ server: '255.255.255.255:7777', nick: 'a' });
    open.push(() => c.shutdown());
    const err: unknown = await c.connect().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LocalError);
    expect((err as LocalError).code).to.equal('UDPCHAT_ERR_BAD_ADDRESS');
    expect((err as LocalError).message).to.equal('cannot reach 255.255.255.255:7777: a broadcast address (give the server\'s own address)');
  });

  it('joins a server, goes online, and knows who is there', async () => {
    const s = await server();
    const { c, events } = await client(s.address().port, 'ann');
    c.join();
    const joined = await event(c, events, is('joined'));
    expect(joined).to.deep.include({ nick: 'ann', rejoined: false });
    await event(c, events, is('roster', (e) => e.nicks.includes('ann')));
    expect(c.state).to.equal('online');
    expect(c.peers).to.deep.equal(['ann']);
    expect(c.rttMs).to.be.a('number');
  });

  it('delivers what one client says to another, and reports it delivered to the sender', async () => {
    const s = await server();
    const port = s.address().port;
    const a = await client(port, 'ann');
    const b = await client(port, 'bob');
    a.c.join();
    b.c.join();
    await event(a.c, a.events, is('joined'));
    await event(b.c, b.events, is('joined'));
    a.c.say('hello bob');
    expect(a.c.pending).to.equal(1);
    const got = await event(b.c, b.events, is('message', (e) => e.text === 'hello bob'));
    expect(got).to.deep.include({ nick: 'ann', own: false, history: false });
    await event(a.c, a.events, is('delivered', (e) => e.pending === 0));
    expect(a.c.pending).to.equal(0);
  });

  it('keeps its timer while a busy room moves its deadline later (no re-arm per datagram)', async () => {
    const s = await ChatServer.start({ host: '127.0.0.1', port: 0, rate: 1000, burst: 1000 });
    open.push(() => s.close());
    const port = s.address().port;
    const a = await client(port, 'ann');
    const b = await client(port, 'bob');
    a.c.join();
    b.c.join();
    await event(a.c, a.events, is('joined'));
    await event(b.c, b.events, is('joined'));
    const realSetTimeout = globalThis.setTimeout;
    let armed = 0;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      if (new Error().stack?.includes('.pump') === true) armed++;
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout;
    try {
      // One message per turn: each DATA to both clients and each ACK to ann would re-arm a timer.
      for (let i = 1; i <= 20; i++) {
        a.c.say(`m${i}`);
        await event(b.c, b.events, is('message', (e) => e.text === `m${i}`));
      }
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    expect(armed).to.be.below(15);
    expect(b.events.filter((e) => e.type === 'message' && !e.history)).to.have.length(20);
  });

  it('leaves politely: the server announces the leave and the session closes', async () => {
    const s = await server();
    const { c, events } = await client(s.address().port, 'ann');
    c.join();
    await event(c, events, is('joined'));
    const left = once(s, 'leave');
    await c.leave();
    const [e] = (await left) as [{ nick: string; reason: string }];
    expect(e).to.include({ nick: 'ann', reason: 'quit' });
    expect(events.some((x) => x.type === 'closed')).to.equal(true);
    expect(() => c.say('too late')).to.throw(LocalError).with.property('code', 'UDPCHAT_ERR_NOT_JOINED');
  });

  it('fails a first join at once when nothing listens at the port (ICMP port unreachable)', async () => {
    const probe = dgram.createSocket('udp4');
    probe.bind(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = probe.address().port;
    probe.close();
    const { c, events } = await client(port, 'ann', 8_000);
    const started = Date.now();
    c.join();
    const failed = await event(c, events, is('join-failed'), 5_000);
    expect(failed.code).to.equal('UDPCHAT_ERR_SERVER_UNREACHABLE');
    expect(Date.now() - started).to.be.below(5_000);
  });
});
