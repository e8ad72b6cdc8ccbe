/**
 * Nick ownership in the server core (issue 10 item 5, docs/protocol.md §5.3 "Ownership"): the seal
 * layer hands the core the sender's user key; a nick is bound to the first key that takes it,
 * refused to other keys and to cleartext joins until unused for nickReleaseMs; WHOIS names the owner.
 */
import { expect } from 'chai';
import { decode, encode } from '../../lib/protocol/codec.js';
import { nickKeys } from '../../lib/protocol/nick.js';
import type { Message } from '../../lib/protocol/messages.js';
import { CAP_IDENTITY } from '../../lib/protocol/whois-codec.js';
import type { PeerAddress } from '../../lib/server/peer-address.js';
import { type SealedPeer, ServerCore } from '../../lib/server/server-core.js';
import type { Session } from '../../lib/server/session-table.js';
import { seededBytes } from '../support/sim-network.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

function newServer(options: { nickReleaseMs?: number; idleTimeoutMs?: number } = {}): ServerCore {
  return new ServerCore({ random: seededBytes(11), now: T0, ...options });
}

const key = (b: number): SealedPeer => ({ staticKey: new Uint8Array(32).fill(b) });
let port = 5000;
const somewhere = (): PeerAddress => ({ address: `192.0.2.${(port % 200) + 1}`, port: port++ });

function replies(server: ServerCore): Message[] {
  return server.drain().datagrams.map((d) => decode(d.data));
}

/** Joins through the cookie round trip with `peer` on every datagram; returns the first reply to the JOIN with a cookie. */
function join(server: ServerCore, nick: string, peer: SealedPeer | undefined, opts: { now?: number; caps?: number; from?: PeerAddress; clientId?: Buffer } = {}): Message {
  const { now = T0, caps = CAP_IDENTITY, from = somewhere(), clientId = Buffer.from(seededBytes(port)(16)) } = opts;
  const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps, nick };
  server.receive(encode(hello), from, now, peer);
  const cookie = replies(server).find((m) => m.type === 'cookie');
  if (cookie?.type !== 'cookie') throw new Error('no cookie');
  server.receive(encode({ ...hello, cookie: cookie.cookie }), from, now, peer);
  server.flush(now);
  const first = replies(server)[0];
  if (first === undefined) throw new Error('no answer');
  return first;
}

function leave(server: ServerCore, nick: string, now: number): void {
  const s = [...server.sessions.all()].find((x) => x.nick === nick);
  if (s === undefined) throw new Error(`${nick} is not online`);
  server.receive(encode({ type: 'leave', token: s.token }), s.address, now);
  server.flush(now);
  replies(server);
}

describe('ServerCore nick ownership', () => {
  it('records the user key of a sealed join on the session, and none for a cleartext one', () => {
    const server = newServer();
    expect(join(server, 'ann', key(9)).type).to.equal('welcome');
    expect(join(server, 'bob', undefined).type).to.equal('welcome');
    const byNick = new Map([...server.sessions.all()].map((s) => [s.nick, s]));
    expect(byNick.get('ann')?.ownerKey).to.deep.equal(Buffer.alloc(32, 9));
    expect(byNick.get('bob')?.ownerKey).to.equal(undefined);
  });

  it('binds a nick to the first key and refuses it to another key (NICK_OWNED) while unused for less than the release time', () => {
    const server = newServer();
    join(server, 'alice', key(1));
    leave(server, 'alice', T0 + 1000);
    const refused = join(server, 'alice', key(2), { now: T0 + 29 * DAY });
    expect(refused).to.include({ type: 'error', code: 'UDPCHAT_ERR_NICK_OWNED' });
    expect(refused.type === 'error' && refused.detail).to.match(/is bound to another user key: pick another nick \(it frees after 2 more days unused, or ask the server's operator\)/);
    expect(join(server, 'alice', key(1), { now: T0 + 29 * DAY }).type, 'the owner').to.equal('welcome');
  });

  it('compares by the nick key: a look-alike of a bound nick is refused too', () => {
    const server = newServer();
    join(server, 'alice', key(1));
    leave(server, 'alice', T0 + 1);
    for (const lookalike of ['al1ce', 'aIice', 'ɑlice', 'ALICE']) {
      expect(join(server, lookalike, key(3), { now: T0 + 2 }), lookalike).to.include({ type: 'error', code: 'UDPCHAT_ERR_NICK_OWNED' });
    }
  });

  it('refuses a bound nick to a cleartext join, as NICK_TAKEN with the same detail to a client without the identity capability', () => {
    const server = newServer();
    join(server, 'alice', key(1));
    leave(server, 'alice', T0 + 1);
    const withCap = join(server, 'alice', undefined, { now: T0 + 2 });
    expect(withCap).to.include({ type: 'error', code: 'UDPCHAT_ERR_NICK_OWNED' });
    expect(withCap.type === 'error' && withCap.detail).to.match(/is bound to a user key: join sealed with that key, or pick another nick/);
    const older = join(server, 'alice', undefined, { now: T0 + 2, caps: 0 });
    expect(older).to.include({ type: 'error', code: 'UDPCHAT_ERR_NICK_TAKEN' });
    expect(older.type === 'error' && older.detail).to.match(/is bound to a user key/);
  });

  it('lets another key take a nick unused for the release time, and then refuses the first key', () => {
    const server = newServer({ nickReleaseMs: 10 * DAY });
    join(server, 'alice', key(1));
    leave(server, 'alice', T0 + 1000);
    expect(join(server, 'alice', key(2), { now: T0 + 1000 + 10 * DAY }).type).to.equal('welcome');
    leave(server, 'alice', T0 + 1001 + 10 * DAY);
    expect(join(server, 'alice', key(1), { now: T0 + 1002 + 10 * DAY })).to.include({ code: 'UDPCHAT_ERR_NICK_OWNED' });
  });

  it('keeps the binding of a member online fresh (touched every minute), so it never expires under it', () => {
    const server = newServer({ nickReleaseMs: 10 * 60_000, idleTimeoutMs: 3_600_000 });
    join(server, 'alice', key(1));
    const s = [...server.sessions.all()][0];
    for (let t = T0; t <= T0 + 20 * 60_000; t += 5_000) {
      if (s !== undefined) server.receive(encode({ type: 'ping', token: s.token, delivered: 0, echo: 0 }), s.address, t);
      server.tick(t);
    }
    replies(server);
    expect(server.nicks.ownerOf(nickKeys('alice'))?.lastUsedMs).to.be.at.least(T0 + 19 * 60_000);
    leave(server, 'alice', T0 + 20 * 60_000);
    expect(join(server, 'alice', key(2), { now: T0 + 25 * 60_000 })).to.include({ code: 'UDPCHAT_ERR_NICK_OWNED' });
  });

  it('does not bind the nick of a cleartext session, and counts every change for the store', () => {
    const server = newServer();
    join(server, 'bob', undefined);
    expect(server.nicks.size).to.equal(0);
    expect(server.nicks.changes).to.equal(0);
    join(server, 'ann', key(4));
    expect(server.nicks.size).to.equal(1);
    expect(server.nicks.changes).to.equal(1);
  });

  it('starts from saved bindings', () => {
    const server = new ServerCore({
      random: seededBytes(3),
      now: T0,
      nickBindings: [{ nick: 'alice', nickKey: 'allce', owner: Buffer.alloc(32, 1), lastUsedMs: T0 - DAY }],
    });
    expect(join(server, 'Alice', key(2))).to.include({ code: 'UDPCHAT_ERR_NICK_OWNED' });
    expect(join(server, 'Alice', key(1)).type).to.equal('welcome');
  });

  describe('the same user key from another client (§6.1.3 step 5)', () => {
    /** Alice online from `old` with key 1, then a JOIN for alice from `fresh` with `peer` and a new clientId. */
    function rejoinElsewhere(peer: SealedPeer | undefined, prepare?: (s: Session) => void) {
      const server = newServer();
      const old: PeerAddress = { address: '192.0.2.10', port: 4000 };
      expect(join(server, 'alice', key(1), { from: old }).type).to.equal('welcome');
      const before = [...server.sessions.all()][0];
      if (before === undefined) throw new Error('alice');
      prepare?.(before);
      const fresh: PeerAddress = { address: '198.51.100.7', port: 6000 };
      const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId: Buffer.alloc(16, 0xee), resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: CAP_IDENTITY, nick: 'alice' };
      server.receive(encode(hello), fresh, T0 + 5000, peer);
      const cookie = replies(server).find((m) => m.type === 'cookie');
      if (cookie?.type !== 'cookie') throw new Error('no cookie');
      server.receive(encode({ ...hello, cookie: cookie.cookie }), fresh, T0 + 5000, peer);
      server.flush(T0 + 5000);
      const sent = server.drain().datagrams.map((d) => ({ to: (Array.isArray(d.to) ? d.to : [d.to]) as PeerAddress[], m: decode(d.data) }));
      return { server, before, old, fresh, sent };
    }

    it('replaces the old session: BYE(replaced) to the old address, a leave (quit) and a join entry, the nick to the new client', () => {
      const { server, before, old, fresh, sent } = rejoinElsewhere(key(1));
      const toOld = sent.filter((x) => x.to.some((a) => a.port === old.port)).map((x) => x.m);
      expect(toOld[0]).to.deep.equal({ type: 'bye', token: before.token, reason: 'replaced' });
      expect(sent.find((x) => x.m.type === 'welcome')?.to).to.deep.equal([fresh]);
      const entries = sent.flatMap((x) => (x.m.type === 'data' ? x.m.entries : []));
      expect(entries.map((e) => `${e.kind} ${e.nick}${e.kind === 'leave' ? ` ${e.reason}` : ''}`)).to.include.members(['leave alice quit', 'join alice']);
      const now = [...server.sessions.all()];
      expect(now.map((s) => `${s.nick}@${s.address.port}`)).to.deep.equal(['alice@6000']);
    });

    it('treats a session restored without its key as the owner\'s when the nick is bound to the joining key', () => {
      const { server, old, sent } = rejoinElsewhere(key(1), (s) => {
        // As restore-state.ts makes it after a restart: no owner key (never stored).
        s.ownerKey = undefined;
        (s as { restored?: true }).restored = true;
      });
      expect(sent.some((x) => x.m.type === 'bye' && x.m.reason === 'replaced' && x.to[0]?.port === old.port)).to.equal(true);
      expect([...server.sessions.all()].map((s) => s.address.port)).to.deep.equal([6000]);
    });

    it('refuses another key (NICK_TAKEN while the nick is online) and a cleartext join, and tells the old client nothing', () => {
      for (const peer of [key(2), undefined]) {
        const { server, sent } = rejoinElsewhere(peer);
        expect(sent.find((x) => x.m.type === 'error')?.m).to.include({ code: 'UDPCHAT_ERR_NICK_TAKEN' });
        expect(sent.some((x) => x.m.type === 'bye')).to.equal(false);
        expect([...server.sessions.all()].map((s) => s.address.port)).to.deep.equal([4000]);
      }
    });
  });

  describe('either key (§5.3): a capital and its small letter are one name even where nickKey keys them apart', () => {
    it('refuses a nick held online under its other case: борис while Борис is online, ΝΑ while να is (NICK_TAKEN)', () => {
      const server = newServer();
      expect(join(server, 'Борис', undefined).type).to.equal('welcome');
      expect(join(server, 'να', undefined).type).to.equal('welcome');
      expect(join(server, 'борис', undefined)).to.include({ type: 'error', code: 'UDPCHAT_ERR_NICK_TAKEN' });
      expect(join(server, 'ΝΑ', undefined)).to.include({ type: 'error', code: 'UDPCHAT_ERR_NICK_TAKEN' });
      // The look-alike key still counts: a Greek capital Nu meets the Latin N of an online Nick.
      expect(join(server, 'Nick', undefined).type).to.equal('welcome');
      expect(join(server, 'Νick', undefined)).to.include({ type: 'error', code: 'UDPCHAT_ERR_NICK_TAKEN' });
      expect([...server.sessions.all()].map((s) => s.nick)).to.deep.equal(['Борис', 'να', 'Nick']);
    });

    it('refuses a bound nick to another key under its other case (NICK_OWNED), and lets the owner take it', () => {
      const server = newServer();
      join(server, 'Борис', key(1));
      leave(server, 'Борис', T0 + 1);
      for (const other of ['борис', 'БОРИС', 'бОрИс']) {
        expect(join(server, other, key(2), { now: T0 + 2 }), other).to.include({ type: 'error', code: 'UDPCHAT_ERR_NICK_OWNED' });
      }
      expect(join(server, 'борис', undefined, { now: T0 + 2 }), 'cleartext').to.include({ type: 'error', code: 'UDPCHAT_ERR_NICK_OWNED' });
      expect(join(server, 'борис', key(1), { now: T0 + 3 }).type, 'the owner').to.equal('welcome');
    });

    it('finds a saved binding under its other case, and of two saved ones with one case key the one used last', () => {
      const server = new ServerCore({
        random: seededBytes(3),
        now: T0,
        nickBindings: [
          { nick: 'να', nickKey: 'va', owner: Buffer.alloc(32, 1), lastUsedMs: T0 - DAY },
          // Bound apart before both keys counted: Борис (key bopᴎc) and борис (key 6opᴎc).
          { nick: 'Борис', nickKey: nickKeys('Борис').key, owner: Buffer.alloc(32, 4), lastUsedMs: T0 - 2 * DAY },
          { nick: 'борис', nickKey: nickKeys('борис').key, owner: Buffer.alloc(32, 5), lastUsedMs: T0 - DAY },
        ],
      });
      expect(join(server, 'ΝΑ', key(2))).to.include({ code: 'UDPCHAT_ERR_NICK_OWNED' });
      // Each spelling finds its own binding first (the nickKey match wins) …
      expect(server.nicks.ownerOf(nickKeys('БОРИС'))?.owner).to.deep.equal(Buffer.alloc(32, 4));
      expect(server.nicks.ownerOf(nickKeys('борис'))?.owner).to.deep.equal(Buffer.alloc(32, 5));
      // … and a spelling of neither the binding used last.
      expect(server.nicks.ownerOf(nickKeys('бОРИС'))?.owner).to.deep.equal(Buffer.alloc(32, 5));
      expect(join(server, 'ΝΑ', key(1)).type).to.equal('welcome');
    });

    it('answers WHOIS for the other case with the binding and the online holder', () => {
      const server = newServer();
      join(server, 'Борис', key(7));
      join(server, 'bob', undefined);
      const bob = [...server.sessions.all()].find((s) => s.nick === 'bob');
      if (bob === undefined) throw new Error('bob');
      server.receive(encode({ type: 'whois', token: bob.token, nick: 'борис' }), bob.address, T0 + 10);
      expect(replies(server)[0]).to.deep.include({ type: 'owner', bound: true, online: true, key: Buffer.alloc(32, 7), nick: 'Борис' });
    });
  });

  it('answers WHOIS with the owner key, online flag and last use, within the repair budget', () => {
    const server = newServer();
    join(server, 'alice', key(7));
    join(server, 'bob', undefined);
    const bob = [...server.sessions.all()].find((s) => s.nick === 'bob');
    if (bob === undefined) throw new Error('bob');
    const ask = (nick: string): Message | undefined => {
      server.receive(encode({ type: 'whois', token: bob.token, nick }), bob.address, T0 + 10);
      return replies(server)[0];
    };
    expect(ask('ALICE')).to.deep.equal({ type: 'owner', token: bob.token, bound: true, online: true, lastUsed: T0, key: Buffer.alloc(32, 7), nick: 'alice' });
    expect(ask('bob')).to.deep.include({ type: 'owner', bound: false, online: true, lastUsed: 0, nick: 'bob' });
    expect(ask('nobody')).to.deep.include({ bound: false, online: false, nick: 'nobody' });
    expect(ask('a:b')).to.deep.include({ bound: false, online: false, nick: 'a:b' });
    // 64 KiB of allowance: about a thousand answers, then refusals (counted), not answers.
    let answered = 0;
    for (let i = 0; i < 2000; i++) if (ask('alice') !== undefined) answered++;
    expect(answered).to.be.within(900, 1100);
    expect(server.stats.drops['repair-budget']).to.be.greaterThan(0);
  });
});
