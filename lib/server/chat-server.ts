/**
 * The server shell: one dgram socket, the clock and timers around a {@link ServerCore}.
 * Datagrams received in one event-loop turn are handled together, then flushed once, so that
 * under load new entries are packed into fewer DATA datagrams.
 *
 * With a store, the records the core hands over go to a {@link Persister} (group commit); when a
 * batch is durable the core is told, and only then acknowledges and fans out (§6.1.10).
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { peekType } from '../protocol/codec.js';
import { LocalError } from '../protocol/local-error.js';
import { DiscoveryResponder } from './discovery-responder.js';
import { literalLookup } from './literal-lookup.js';
import type { PeerAddress } from './peer-address.js';
import { ServerCore } from './server-core.js';
import type { ServerEvent, ServerStats } from './server-types.js';
import type { ServerOptions } from './server-options.js';
import { persistedSessions } from './restore-state.js';
import type { StoreRead } from './staged-log.js';
import type { StoreStats } from './store/log-store.js';
import type { StoreHandle } from './store/open-store.js';
import { Persister } from './store/persister.js';
import { NickSaver } from './store/nick-file.js';
import { ServerSealLayer } from './seal-layer.js';
import type { ServerKeys } from '../protocol/seal/identity.js';
import { MAX_SEALED_INNER } from '../protocol/seal/envelope.js';

export interface ChatServerOptions extends Partial<ServerOptions> {
  host: string;
  port: number;
  /** Socket buffer sizes to ask for (the kernel may cap them). */
  socketBufferBytes?: number;
  /** The store to keep the room log and sessions in (none: in memory only). Closed by close(). */
  store?: StoreHandle | undefined;
  /** Answer DISCOVER with an OFFER under this name (§5.7); absent: DISCOVER is dropped. */
  discovery?: { name: string };
  /**
   * Sealed sessions (docs/protocol.md §5.8): the server's long-term keys and the psk (none: no
   * passphrase). Absent: cleartext, as protocol version 1 without sealing.
   */
  seal?: { keys: ServerKeys; psk?: Buffer | undefined; allowCleartext?: boolean | undefined } | undefined;
}

const DEFAULT_SOCKET_BUFFER = 4 * 1024 * 1024;
const CLOSE_GRACE_MS = 500;

export interface ChatServerEvents {
  join: [Extract<ServerEvent, { type: 'join' }>];
  leave: [Extract<ServerEvent, { type: 'leave' }>];
  refused: [Extract<ServerEvent, { type: 'refused' }>];
  /** A send failed (the datagram is lost; the protocol repairs it), or (name Store…Error) a store read or deletion. */
  warning: [Error];
  /** Writing to the store failed (messages wait unacknowledged), or works again after `after` ms. */
  storage: [{ ok: false; error: Error } | { ok: true; after: number }];
}

export class ChatServer extends EventEmitter<ChatServerEvents> {
  readonly core: ServerCore;
  /** The seal layer between the socket and the core (undefined: a cleartext server). */
  readonly seal: ServerSealLayer | undefined;
  sendErrors = 0;
  private readonly socket: dgram.Socket;
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (Date.now() time). */
  private timerAt = 0;
  private flushQueued = false;
  /** Set when close() starts: from then on nothing received reaches the core. */
  private closing: Promise<void> | undefined;
  private readonly store: StoreHandle | undefined;
  private readonly persister: Persister | undefined;
  private responder: DiscoveryResponder | undefined;
  /** Saves nicks.json when the core's nick bindings change (none without a store). */
  private readonly nickSaver: NickSaver | undefined;

  private constructor(socket: dgram.Socket, core: ServerCore, store: StoreHandle | undefined, seal: ServerSealLayer | undefined) {
    super();
    this.socket = socket;
    this.core = core;
    this.seal = seal;
    this.store = store;
    this.nickSaver = store && new NickSaver(store.disk, (e) => this.emit('warning', e));
    this.persister =
      store &&
      new Persister(store, {
        durable: (count) => {
          this.core.durable(count, Date.now(), store.log.oldestSeq);
          this.pump();
          this.arm();
        },
        sessions: () => persistedSessions(this.core.sessions),
        storage: (e) => this.emit('storage', e),
        warning: (e) => this.emit('warning', e),
      });
  }

  /**
   * Binds and starts serving. Rejects with UDPCHAT_ERR_ADDRESS_IN_USE if the port is taken,
   * UDPCHAT_ERR_BAD_ADDRESS if the host cannot be bound, with a RangeError (before binding) for
   * options no server can honour (server-options.ts resolveServerOptions).
   */
  static async start(options: ChatServerOptions): Promise<ChatServer> {
    const { host, port, socketBufferBytes = DEFAULT_SOCKET_BUFFER, store, discovery, seal, ...coreOptions } = options;
    // Built before the socket: options it refuses (a RangeError) leave nothing bound.
    const core = new ServerCore({
      ...coreOptions,
      // Sealed: every envelope within 1200 bytes (docs/protocol.md §5.8 "Sizes").
      ...(seal === undefined ? {} : { maxDatagram: MAX_SEALED_INNER }),
      random: randomBytes,
      now: Date.now(),
      persistent: store !== undefined,
      restore: store?.restore,
      nickBindings: store?.nickBindings,
    });
    const socket = dgram.createSocket({
      type: host.includes(':') ? 'udp6' : 'udp4',
      recvBufferSize: socketBufferBytes,
      sendBufferSize: socketBufferBytes,
      // Every send goes to an address a datagram came from: no DNS, no deferral (literalLookup).
      lookup: literalLookup,
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        socket.close();
        if (err.code === 'EADDRINUSE') reject(new LocalError('UDPCHAT_ERR_ADDRESS_IN_USE', `${host}:${port} is already in use`));
        else reject(new LocalError('UDPCHAT_ERR_BAD_ADDRESS', `cannot listen on ${host}:${port}: ${err.message}`));
      };
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    const layer = seal === undefined ? undefined : new ServerSealLayer(core, { keys: seal.keys, psk: seal.psk, allowCleartext: seal.allowCleartext, random: randomBytes, now: Date.now() });
    const server = new ChatServer(socket, core, store, layer);
    if (discovery !== undefined) {
      server.responder = new DiscoveryResponder({ name: discovery.name, port: socket.address().port, passphrase: seal?.psk !== undefined }, Date.now());
    }
    socket.on('message', (msg, rinfo) => server.socketOnMessage(msg, rinfo));
    // Without a listener a send error would crash the process (DESIGN.md, Node dgram facts).
    socket.on('error', (err) => server.socketOnError(err));
    server.arm();
    return server;
  }

  /** The bound address (with the real port when 0 was asked for). */
  address(): PeerAddress {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  get stats(): ServerStats {
    return this.core.stats;
  }

  /** Writes, flushes and bytes of the store so far (undefined without one). */
  get storeStats(): StoreStats | undefined {
    return this.store?.log.stats;
  }

  /** OFFERs sent and DISCOVERs dropped, if this server answers DISCOVER. */
  get discoveryStats(): { answered: number; drops: Record<string, number> } | undefined {
    return this.responder === undefined ? undefined : { answered: this.responder.answered, drops: this.responder.drops };
  }

  private socketOnMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.closing !== undefined) return;
    // Discovery is answered outside the session core, and keeps nothing per requester (§5.5).
    if (this.responder !== undefined && peekType(msg) === 'discover') return this.answerDiscover(msg, rinfo);
    if (this.seal !== undefined) this.seal.receive(msg, rinfo, Date.now());
    else this.core.receive(msg, rinfo, Date.now());
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  private answerDiscover(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const offer = this.responder?.answer(msg, rinfo, Date.now(), this.core.sessions.size);
    if (offer === undefined) return;
    try {
      this.socket.send(offer, rinfo.port, rinfo.address);
    } catch (err) {
      this.socketOnError(err as Error);
    }
  }

  private socketOnError(err: Error): void {
    this.sendErrors++;
    this.emit('warning', err);
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.closing !== undefined) return;
    this.core.flush(Date.now());
    this.pump();
    this.arm();
  }

  /**
   * Makes sure the timer fires by the core's next deadline. A timer already due no later is kept:
   * the deadline mostly moves later (each fan-out pushes the tail SYNC back), and re-arming on
   * every flush cost more than the one early tick, which finds nothing due and re-arms.
   */
  private arm(): void {
    if (this.closing !== undefined) return;
    const now = Date.now();
    const at = Math.max(now, this.core.nextDeadline(now));
    if (this.timer !== undefined) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(() => this.onTimer(), at - now);
  }

  private onTimer(): void {
    this.timer = undefined;
    const now = Date.now();
    // Woken early (the tail SYNC moved later since the timer was armed: arm() keeps an earlier
    // timer): the core has nothing due, so its tick would find nothing to do and queue nothing.
    // Only the seal layer's drain has clocks of its own (key rotation, sweeps): it still runs.
    if (this.core.nextDeadline(now) > now) {
      if (this.seal !== undefined) this.pump();
      return this.arm();
    }
    this.core.tick(now);
    this.pump();
    this.arm();
  }

  /** Sends what the core queued and forwards its events. */
  private pump(onSent?: () => void): number {
    const { datagrams, events, records, reads } = this.seal === undefined ? this.core.drain() : this.seal.drain(Date.now());
    if (this.persister !== undefined) {
      if (records.length > 0) this.persister.add(records);
      if (events.some((e) => e.type !== 'refused')) this.persister.sessionsChanged();
    }
    for (const r of reads) this.readStored(r);
    this.nickSaver?.save(this.core.nicks.changes, () => this.core.nicks.entries());
    let sends = 0;
    for (const d of datagrams) {
      if (!Array.isArray(d.to)) sends += this.send(d.data, d.to as PeerAddress, onSent);
      else for (const to of d.to as readonly PeerAddress[]) sends += this.send(d.data, to, onSent);
    }
    for (const e of events) this.emit(e.type, e as never);
    return sends;
  }

  /** Sends one datagram: 1 if it went to the socket, 0 if Node refused the address at once. */
  private send(data: Buffer, to: PeerAddress, onSent: (() => void) | undefined): number {
    try {
      this.socket.send(data, to.port, to.address, onSent);
      return 1;
    } catch (err) {
      // Thrown synchronously for an address Node refuses; the peer simply does not get it.
      this.socketOnError(err as Error);
      return 0;
    }
  }

  /** Answers a NACK or HISTORY older than the in-memory log from the store (a failed read is a warning; the client asks again). */
  private readStored(r: StoreRead): void {
    const store = this.store;
    if (store === undefined) return;
    // Both outcomes are handled: a failed read becomes a warning and an empty answer.
    void store.log
      .readEntries(r.from, r.to, r.maxBytes)
      .catch((err: unknown) => {
        const e = new Error(`store: cannot read back seq ${r.from}–${r.to} for ${r.page === true ? "a history page" : "a repair"}: ${(err as Error).message}`);
        e.name = 'StoreReadError';
        this.emit('warning', e);
        return [];
      })
      .then((entries) => {
        this.core.storedEntries(r, entries, Date.now());
        if (this.closing === undefined) this.pump();
      });
  }

  /** Tells every peer the server is going away, waits briefly for those sends, and closes. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.persister !== undefined) {
      // What was accepted goes to disk (and is acknowledged) first; the sessions are saved so that
      // their clients, told BYE(shutdown), continue them when the server is back.
      this.core.flush(Date.now());
      this.pump();
      await this.persister.drain();
    }
    this.core.shutdown(Date.now());
    await new Promise<void>((resolve) => {
      let left = 0;
      const done = (): void => {
        if (--left <= 0) resolve();
      };
      left = this.pump(done);
      if (left === 0) resolve();
      setTimeout(resolve, CLOSE_GRACE_MS).unref();
    });
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    await this.nickSaver?.idle();
    await this.store?.close();
  }
}
