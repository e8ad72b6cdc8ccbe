/**
 * A sans-I/O harness for sealed sessions: a ServerCore behind a ServerSealLayer and ClientCores
 * behind ClientSealLayers, datagrams carried in memory (and recorded, so specs can replay or
 * forge them). No sockets, no clock: `now` is the harness's.
 */
import { randomBytes } from 'node:crypto';
import { ClientCore } from '../../lib/client/client-core.js';
import { ClientSealLayer, type ClientSealOptions } from '../../lib/client/seal-layer.js';
import type { ClientEvent } from '../../lib/client/session-types.js';
import type { RoomEvent } from '../../lib/client/rooms-api.js';
import { MAX_SEALED_DATAGRAM, MAX_SEALED_INNER } from '../../lib/protocol/seal/envelope.js';
import { type ServerKeys, generateServerKeys, generateUserKey } from '../../lib/protocol/seal/identity.js';
import { addressKey, type PeerAddress } from '../../lib/server/peer-address.js';
import { ServerCore } from '../../lib/server/server-core.js';
import type { ServerOptions } from '../../lib/server/server-options.js';
import { ServerSealLayer } from '../../lib/server/seal-layer.js';

export const T0 = 1_700_000_000_000;

export interface SealedClient {
  readonly address: PeerAddress;
  readonly core: ClientCore;
  readonly layer: ClientSealLayer;
  readonly events: Array<ClientEvent | RoomEvent>;
  /** Every datagram the server sent this client (sealed bytes), in order. */
  readonly received: Buffer[];
  /** Every datagram this client sent (sealed bytes), in order. */
  readonly sent: Buffer[];
}

export class SealedNet {
  now = T0;
  readonly keys: ServerKeys;
  readonly core: ServerCore;
  readonly server: ServerSealLayer;
  readonly clients: SealedClient[] = [];
  private readonly byAddress = new Map<string, SealedClient>();
  /** Datagrams from the server this returns true for are lost on the way (not delivered). */
  lose: ((to: SealedClient, data: Buffer) => boolean) | undefined;
  /** Receivers at other addresses (a cleartext client), by addressKey. */
  readonly others = new Map<string, (data: Buffer) => void>();

  constructor(options: { serverOptions?: Partial<ServerOptions>; keys?: ServerKeys; psk?: Buffer; allowCleartext?: boolean } = {}) {
    this.keys = options.keys ?? generateServerKeys(randomBytes);
    this.core = new ServerCore({ maxDatagram: MAX_SEALED_INNER, ...options.serverOptions, random: randomBytes, now: this.now });
    this.server = new ServerSealLayer(this.core, { keys: this.keys, psk: options.psk, allowCleartext: options.allowCleartext, random: randomBytes, now: this.now });
  }

  /** A client at 10.0.0.n:5000+n (not joined yet: call join). */
  client(nick: string, seal: Partial<ClientSealOptions> = {}): SealedClient {
    const n = this.clients.length + 1;
    const address = { address: `10.0.0.${n}`, port: 5000 + n };
    const core = new ClientCore({ nick, clientId: randomBytes(16) });
    const layer = new ClientSealLayer(core, { userKey: generateUserKey(randomBytes), random: randomBytes, ...seal });
    const c: SealedClient = { address, core, layer, events: [], received: [], sent: [] };
    this.clients.push(c);
    this.byAddress.set(addressKey(address), c);
    return c;
  }

  /** Joins and runs until quiet. */
  join(c: SealedClient): void {
    c.core.join(this.now);
    this.run();
  }

  /** Delivers to the server a datagram as if from `from` (a forger, or a replay). */
  toServer(data: Buffer, from: PeerAddress): void {
    this.server.receive(data, from, this.now);
    this.core.flush(this.now);
  }

  /** Moves datagrams both ways until nothing is left to send (bounded). */
  run(): void {
    for (let round = 0; round < 50; round++) {
      let moved = 0;
      for (const c of this.clients) {
        const d = c.core.drain();
        c.events.push(...d.ordered);
        for (const bytes of c.layer.wrap(d.datagrams, this.now)) {
          c.sent.push(bytes);
          this.server.receive(bytes, c.address, this.now);
          moved++;
        }
      }
      this.core.flush(this.now);
      moved += this.deliver();
      if (moved === 0) return;
    }
    throw new Error('the sealed net did not settle in 50 rounds');
  }

  /** Advances time, runs every timer, and settles. */
  advance(ms: number): void {
    this.now += ms;
    this.core.tick(this.now);
    for (const c of this.clients) c.core.tick(this.now);
    this.run();
  }

  /** Sends what the server queued to the clients it names. */
  private deliver(): number {
    let moved = 0;
    for (const d of this.server.drain(this.now).datagrams) {
      if (d.data.length > MAX_SEALED_DATAGRAM) throw new Error(`the server sent a ${d.data.length}-byte datagram (more than ${MAX_SEALED_DATAGRAM})`);
      const targets = Array.isArray(d.to) ? (d.to as readonly PeerAddress[]) : [d.to as PeerAddress];
      for (const to of targets) {
        const c = this.byAddress.get(addressKey(to));
        if (c === undefined) {
          this.others.get(addressKey(to))?.(d.data);
          continue;
        }
        if (this.lose?.(c, d.data) === true) continue;
        c.received.push(d.data);
        c.layer.receive(d.data, this.now);
        moved++;
      }
    }
    return moved;
  }

  /** Lines of chat a client has been shown (message events). */
  static texts(c: SealedClient): string[] {
    return c.events.flatMap((e) => (e.type === 'message' ? [e.text] : []));
  }
}
