/**
 * The server's options (server-options.ts): the defaults, and the limit every way of building a
 * server checks — a session's rooms and private conversations must fit one RSTATE (§6.3.4).
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { MAX_DATAGRAM } from '../../lib/protocol/constants.js';
import { MAX_SEALED_INNER } from '../../lib/protocol/seal/envelope.js';
import { generateServerKeys } from '../../lib/protocol/seal/identity.js';
import { ChatServer } from '../../lib/server/chat-server.js';
import { ServerCore } from '../../lib/server/server-core.js';
import { DEFAULT_SERVER_OPTIONS, PRIVATE_PER_USER, checkRoomsPerUser, resolveServerOptions, roomsPerUserLimit } from '../../lib/server/server-options.js';

describe('server options', () => {
  describe('roomsPerUserLimit', () => {
    it('leaves room in one RSTATE for every private conversation: 84 at 1200 bytes, 72 at a sealed server’s 1103', () => {
      expect(PRIVATE_PER_USER).to.equal(64);
      expect(roomsPerUserLimit(MAX_DATAGRAM)).to.equal(84);
      expect(roomsPerUserLimit(MAX_SEALED_INNER)).to.equal(72);
    });
  });

  describe('checkRoomsPerUser', () => {
    it('throws a RangeError naming the option as the caller spells it, and accepts the limit itself', () => {
      expect(() => checkRoomsPerUser(73, MAX_SEALED_INNER, '--max-rooms-per-user')).to.throw(RangeError, /^--max-rooms-per-user can be at most 72 \(/);
      expect(() => checkRoomsPerUser(72, MAX_SEALED_INNER)).not.to.throw();
      expect(() => checkRoomsPerUser(85, MAX_DATAGRAM)).to.throw(RangeError, /^maxRoomsPerUser can be at most 84 /);
    });
  });

  describe('resolveServerOptions', () => {
    it('fills in the defaults under what is given', () => {
      expect(resolveServerOptions({})).to.deep.equal(DEFAULT_SERVER_OPTIONS);
      expect(resolveServerOptions({ maxRooms: 3, maxRoomsPerUser: 84 })).to.include({ maxRooms: 3, maxRoomsPerUser: 84, maxDatagram: MAX_DATAGRAM });
    });

    it('refuses more rooms per user than the given datagram size allows', () => {
      expect(() => resolveServerOptions({ maxRoomsPerUser: 85 })).to.throw(RangeError, /maxRoomsPerUser can be at most 84 /);
      expect(() => resolveServerOptions({ maxDatagram: MAX_SEALED_INNER, maxRoomsPerUser: 73 })).to.throw(RangeError, /maxRoomsPerUser can be at most 72 /);
      expect(resolveServerOptions({ maxDatagram: MAX_SEALED_INNER, maxRoomsPerUser: 72 }).maxRoomsPerUser).to.equal(72);
    });
  });

  describe('ServerCore', () => {
    it('refuses options resolveServerOptions refuses', () => {
      expect(() => new ServerCore({ maxRoomsPerUser: 200, random: randomBytes, now: 0 })).to.throw(RangeError, /maxRoomsPerUser can be at most 84 /);
      expect(new ServerCore({ maxRoomsPerUser: 84, random: randomBytes, now: 0 }).options.maxRoomsPerUser).to.equal(84);
    });
  });

  describe('ChatServer.start', () => {
    let started: ChatServer | undefined;
    afterEach(async () => {
      await started?.close();
      started = undefined;
    });

    /** A port nothing is bound to just now. */
    async function freePort(): Promise<number> {
      const probe = dgram.createSocket('udp4');
      probe.bind(0, '127.0.0.1');
      await once(probe, 'listening');
      const { port } = probe.address();
      await new Promise<void>((resolve) => probe.close(resolve));
      return port;
    }

    it('rejects a sealed server in more than 72 rooms per user with a RangeError, before binding anything', async () => {
      const port = await freePort();
      const err: unknown = await ChatServer.start({ host: '127.0.0.1', port, seal: { keys: generateServerKeys(randomBytes) }, maxRoomsPerUser: 73 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(RangeError);
      expect((err as RangeError).message).to.match(/^maxRoomsPerUser can be at most 72 /);
      // The port is still free: a refused server left no socket behind.
      started = await ChatServer.start({ host: '127.0.0.1', port, seal: { keys: generateServerKeys(randomBytes) }, maxRoomsPerUser: 72 });
      expect(started.address().port).to.equal(port);
    });

    it('holds a cleartext server to its own datagram size: 84', async () => {
      const err: unknown = await ChatServer.start({ host: '127.0.0.1', port: 0, maxRoomsPerUser: 85 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(RangeError);
      started = await ChatServer.start({ host: '127.0.0.1', port: 0, maxRoomsPerUser: 84 });
      expect(started.core.options.maxRoomsPerUser).to.equal(84);
    });
  });
});
