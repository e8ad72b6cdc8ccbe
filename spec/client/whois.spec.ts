/**
 * `/whois NICK` in the client (docs/protocol.md §5.3 "Ownership", capability bit 2): the JOIN
 * offers the bit, WHOIS goes out only when the server enabled it, OWNER becomes a `whois` event with
 * the owner's fingerprint, and both front ends print it escaped.
 */
import { expect } from 'chai';
import { ClientCore } from '../../lib/client/client-core.js';
import type { ClientEvent } from '../../lib/client/session-types.js';
import { describeOwner, utcMinute } from '../../lib/client/whois-lookup.js';
import { decode, encode } from '../../lib/protocol/codec.js';
import type { ClientMessage, ServerMessage } from '../../lib/protocol/messages.js';
import { fingerprint } from '../../lib/protocol/seal/identity.js';
import { CAP_IDENTITY } from '../../lib/protocol/whois-codec.js';
import { parseCommand } from '../../lib/client/commands.js';

const T0 = 1_767_225_600_000;
const CLIENT_ID = Buffer.alloc(16, 0xc1);
const TOKEN = Buffer.alloc(16, 0x70);
const KEY = Buffer.alloc(32, 0x42);

function sent(core: ClientCore): { messages: ClientMessage[]; events: ClientEvent[] } {
  const { datagrams, events } = core.drain();
  return { messages: datagrams.map((d) => decode(d) as ClientMessage), events };
}

function online(caps: number): ClientCore {
  const core = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
  core.join(T0);
  const join = sent(core).messages[0];
  expect(join?.type === 'join' && join.caps & CAP_IDENTITY, 'JOIN offers identity').to.equal(CAP_IDENTITY);
  const deliver = (m: ServerMessage): void => core.receive(encode(m), T0 + 1);
  deliver({ type: 'cookie', clientId: CLIENT_ID, cookie: Buffer.alloc(16, 9) });
  deliver({ type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: Buffer.alloc(8, 1), historyFrom: 1, baseSeq: 0, ackedCseq: 0, heartbeatMs: 5_000, idleTimeoutMs: 30_000, maxText: 1000, caps, nick: 'ann' });
  sent(core);
  return core;
}

describe('whois in the client', () => {
  it('asks with WHOIS and turns the OWNER answer into a whois event with the fingerprint', () => {
    const core = online(CAP_IDENTITY);
    core.whois('alice', T0 + 5);
    expect(sent(core).messages).to.deep.equal([{ type: 'whois', token: TOKEN, nick: 'alice' }]);
    core.receive(encode({ type: 'owner', token: TOKEN, bound: true, online: false, lastUsed: T0, key: KEY, nick: 'alice' }), T0 + 6);
    const e = sent(core).events.find((x) => x.type === 'whois');
    expect(e).to.deep.equal({ type: 'whois', nick: 'alice', bound: true, online: false, lastUsed: T0, fingerprint: fingerprint(KEY) });
    if (e?.type !== 'whois') throw new Error('no whois event');
    expect(describeOwner(e, 'alice')).to.equal(`alice: owned by ${fingerprint(KEY)} (not online; last used 2026-01-01 00:00 UTC)`);
  });

  it('drops an OWNER with another token and says unbound nicks are unbound', () => {
    const core = online(CAP_IDENTITY);
    core.receive(encode({ type: 'owner', token: Buffer.alloc(16, 1), bound: true, online: true, lastUsed: T0, key: KEY, nick: 'alice' }), T0 + 6);
    expect(sent(core).events.filter((x) => x.type === 'whois')).to.be.empty;
    expect(core.drops).to.equal(1);
    core.receive(encode({ type: 'owner', token: TOKEN, bound: false, online: true, lastUsed: 0, key: Buffer.alloc(32), nick: 'bob' }), T0 + 7);
    const e = sent(core).events.find((x) => x.type === 'whois');
    if (e?.type !== 'whois') throw new Error('no whois event');
    expect(describeOwner(e, 'bob')).to.equal('bob: not bound to a user key (online)');
  });

  it('sends nothing and says why to a server without the capability, before joining, or for an impossible nick', () => {
    const older = online(0);
    older.whois('alice', T0 + 5);
    const a = sent(older);
    expect(a.messages).to.be.empty;
    expect(a.events).to.deep.include({ type: 'notice', text: '/whois: this server does not tell who owns a nick (an older server)' });
    const fresh = new ClientCore({ nick: 'ann', clientId: CLIENT_ID });
    fresh.whois('alice', T0);
    expect(sent(fresh).events).to.deep.include({ type: 'notice', text: '/whois: not joined yet' });
    const core = online(CAP_IDENTITY);
    core.whois('x'.repeat(65), T0 + 5);
    expect(sent(core).events).to.deep.include({ type: 'notice', text: '/whois: a nick is 1–64 bytes of UTF-8' });
  });

  it('formats times in UTC by arithmetic, as Date does', () => {
    for (const t of [0, T0, 951_782_400_000, 4_102_444_799_999, 1_709_164_800_000 + 86_399_000]) {
      expect(utcMinute(t), String(t)).to.equal(new Date(t).toISOString().slice(0, 16).replace('T', ' '));
    }
  });

  it('parses /whois in the full-screen client, and asks for a nick when there is none', () => {
    expect(parseCommand('/whois  alice')).to.deep.equal({ kind: 'whois', nick: 'alice' });
    expect(parseCommand('/WHOIS bob')).to.deep.equal({ kind: 'whois', nick: 'bob' });
    expect(parseCommand('/whois')).to.deep.include({ kind: 'invalid' });
  });
});
