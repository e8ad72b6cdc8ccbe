/**
 * Nick ownership in the server core (issue 10 item 5): the seal layer hands the core the sender's
 * user key with each datagram of a sealed session; the join path records it on the session.
 */
import { expect } from 'chai';
import { decode, encode } from '../../lib/protocol/codec.js';
import type { PeerAddress } from '../../lib/server/peer-address.js';
import { type SealedPeer, ServerCore } from '../../lib/server/server-core.js';
import { seededBytes } from '../support/sim-network.js';

const T0 = 1_700_000_000_000;

function newServer(): ServerCore {
  return new ServerCore({ random: seededBytes(11), now: T0 });
}

/** Joins through the cookie round trip with `peer` on every datagram; returns what came back last. */
function join(server: ServerCore, from: PeerAddress, nick: string, peer: SealedPeer | undefined, clientId = Buffer.alloc(16, nick.length)): string {
  const hello = { type: 'join' as const, cookie: Buffer.alloc(16), clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick };
  server.receive(encode(hello), from, T0, peer);
  const cookie = server.drain().datagrams.map((d) => decode(d.data)).find((m) => m.type === 'cookie');
  if (cookie?.type !== 'cookie') throw new Error('no cookie');
  server.receive(encode({ ...hello, cookie: cookie.cookie }), from, T0, peer);
  server.flush(T0);
  const replies = server.drain().datagrams.map((d) => decode(d.data));
  return replies[0]?.type ?? 'nothing';
}

describe('ServerCore nick ownership', () => {
  it('records the user key of a sealed join on the session, and none for a cleartext one', () => {
    const server = newServer();
    const key = new Uint8Array(32).fill(9);
    expect(join(server, { address: '192.0.2.1', port: 5001 }, 'ann', { staticKey: key })).to.equal('welcome');
    expect(join(server, { address: '192.0.2.2', port: 5002 }, 'bob', undefined)).to.equal('welcome');
    const byNick = new Map([...server.sessions.all()].map((s) => [s.nick, s]));
    expect(byNick.get('ann')?.ownerKey).to.deep.equal(Buffer.from(key));
    expect(byNick.get('bob')?.ownerKey).to.equal(undefined);
  });
});
