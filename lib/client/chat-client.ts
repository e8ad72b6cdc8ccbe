/**
 * The client shell: a connected dgram socket, the clock and a timer around a {@link ClientCore},
 * exposed to front ends as a {@link ChatSession}.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { CLIENT_ID_BYTES } from '../protocol/constants.js';
import { LocalError } from '../protocol/local-error.js';
import { type ServerAddress, parseServerAddress } from './server-address.js';
import { ClientCore, isRoomEvent } from './client-core.js';
import type { Member, RoomsSession, SayOptions, StreamInfo } from './rooms-api.js';
import type { ClientEvent, ConnectionState } from './session-types.js';
import { ClientSealLayer } from './seal-layer.js';
import { type ScryptCost, derivePsk } from '../protocol/seal/psk.js';

export interface ChatClientOptions {
  /** "host[:port]" as the user typed it. */
  server: string;
  nick: string;
  joinTimeoutMs?: number;
  /**
   * Sealed sessions (docs/protocol.md §5.8): the user's X25519 private key, the server key pinned
   * for this server (undefined: trust on first use; the proven key comes as a 'server-key' event),
   * and the psk for a server key (absent: no passphrase). Absent: cleartext.
   */
  seal?: {
    userKey: Buffer;
    serverKey?: Buffer | undefined;
    acceptNewKey?: boolean | undefined;
    /** The server key's fingerprint as the user was given it (`join --server-key`): no other key is accepted. */
    expectedFingerprint?: string | undefined;
    /** The server's passphrase (absent: none): its psk is derived for the server's key before HANDSHAKE1. */
    passphrase?: string | undefined;
    /** scrypt cost of the psk (specs only: both sides must use PSK_SCRYPT). */
    pskCost?: ScryptCost | undefined;
  } | undefined;
}

/** How long leave() waits for the server's confirmation. */
const LEAVE_WAIT_MS = 1_500;

export class ChatClient extends EventEmitter implements RoomsSession {
  readonly server: string;
  readonly core: ClientCore;
  /** The seal layer between the socket and the core (undefined: cleartext). */
  readonly seal: ClientSealLayer | undefined;
  private readonly target: ServerAddress;
  private socket: dgram.Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (Date.now() time). */
  private timerAt = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** The passphrase and the psks derived from it, per server key (hex). */
  private readonly passphrase: { text: string; cost: ScryptCost | undefined; psks: Map<string, Buffer> } | undefined;
  private readonly pinnedKey: Buffer | undefined;
  private deriving = false;

  /** Throws UDPCHAT_ERR_BAD_ADDRESS for an unparsable server address. */
  constructor(options: ChatClientOptions) {
    super();
    this.server = options.server;
    this.target = parseServerAddress(options.server);
    const joinTimeoutMs = options.joinTimeoutMs;
    this.core = new ClientCore({ nick: options.nick, clientId: randomBytes(CLIENT_ID_BYTES), ...(joinTimeoutMs === undefined ? {} : { joinTimeoutMs }) });
    const seal = options.seal;
    const passphrase = seal?.passphrase;
    if (passphrase !== undefined) this.passphrase = { text: passphrase, cost: seal?.pskCost, psks: new Map() };
    const psks = this.passphrase?.psks;
    this.seal =
      seal === undefined
        ? undefined
        : new ClientSealLayer(this.core, {
            userKey: seal.userKey,
            serverKey: seal.serverKey,
            acceptNewKey: seal.acceptNewKey,
            expectedFingerprint: seal.expectedFingerprint,
            psk: psks && ((key) => psks.get(key.toString('hex'))),
            random: randomBytes,
          });
    this.pinnedKey = seal?.serverKey;
  }

  get nick(): string {
    return this.core.nick;
  }

  get state(): ConnectionState {
    return this.core.state;
  }

  get rttMs(): number | undefined {
    return this.core.rtt.srtt;
  }

  get peers(): readonly string[] {
    return this.core.feed.roster.nicks();
  }

  get joinDeadline(): number | undefined {
    return this.core.joinDeadline;
  }

  get pending(): number {
    return this.core.pending;
  }

  /**
   * Resolves the server and opens the socket; call join() next. Rejects with
   * UDPCHAT_ERR_BAD_ADDRESS. (Separate steps, so a front end can set itself up in between and the
   * handshake's round trip is not inflated by that work.)
   */
  async connect(): Promise<void> {
    let resolved: { address: string; family: number };
    try {
      // Prefer IPv4: `udp-chat serve` listens on 0.0.0.0 by default, and "localhost" often
      // resolves to ::1 first.
      const all = await lookup(this.target.host, { all: true });
      resolved = all.find((a) => a.family === 4) ?? (all[0] as { address: string; family: number });
    } catch (err) {
      throw new LocalError('UDPCHAT_ERR_BAD_ADDRESS', `cannot resolve "${this.target.host}": ${(err as Error).message}`);
    }
    const socket = dgram.createSocket({ type: resolved.family === 6 ? 'udp6' : 'udp4', recvBufferSize: 1 << 20 });
    socket.on('message', (msg) => this.socketOnMessage(msg));
    socket.on('error', (err) => this.socketOnError(err));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        // Node calls back with the error when connect fails (no route, a broadcast address): its
        // typings say `() => void`.
        socket.connect(this.target.port, resolved.address, ((err?: Error) => {
          socket.off('error', reject);
          if (err === undefined || err === null) resolve();
          else reject(err);
        }) as () => void);
      });
    } catch (err) {
      socket.close();
      throw new LocalError('UDPCHAT_ERR_BAD_ADDRESS', `cannot reach ${this.target.host}:${this.target.port}: ${unreachableReason(err as NodeJS.ErrnoException)}`);
    }
    this.socket = socket;
    // The pinned key is known: its psk is ready before the first HANDSHAKE1.
    if (this.passphrase !== undefined && this.pinnedKey !== undefined) await this.derive(this.pinnedKey);
  }

  /** Derives the psk of the passphrase for a server key (scrypt, off the event loop) and keeps it. */
  private async derive(serverKey: Buffer): Promise<void> {
    const p = this.passphrase;
    if (p === undefined || p.psks.has(serverKey.toString('hex'))) return;
    p.psks.set(serverKey.toString('hex'), await derivePsk(p.text, serverKey, p.cost));
  }

  /** A COOKIE waits for the psk of a key first seen in it: derive it, then let the join go on. */
  private derivePending(): void {
    const wanted = this.seal?.pskWanted;
    if (wanted === undefined || this.deriving) return;
    this.deriving = true;
    this.derive(wanted).then(
      () => {
        this.deriving = false;
        if (this.closed) return;
        this.seal?.pskReady(Date.now());
        this.pump();
      },
      (err: unknown) => {
        this.deriving = false;
        if (this.closed) return;
        this.core.refuseServer('UDPCHAT_ERR_WRONG_PASSPHRASE', `cannot derive the key of the passphrase: ${(err as Error).message}`, Date.now());
        this.pump();
      },
    );
  }

  join(nick?: string): void {
    this.core.join(Date.now(), nick);
    this.pump();
  }

  whois(nick: string): void {
    this.core.whois(nick, Date.now());
    this.pump();
  }

  loadOlder(count?: number): void {
    this.core.loadOlder(Date.now(), count);
    this.pump();
  }

  /** Tells the front ends a line of the program's own (a `notice` event), e.g. a server key first remembered. */
  notice(text: string): void {
    if (!this.closed) this.emit('event', { type: 'notice', text } satisfies ClientEvent);
  }

  get roomsSupported(): boolean | undefined {
    return this.core.roomsSupported;
  }

  get streams(): readonly StreamInfo[] {
    return this.core.streams.all;
  }

  stream(roomId: number): StreamInfo | undefined {
    return this.core.streams.get(roomId);
  }

  members(roomId: number): readonly Member[] {
    return this.core.streams.members(roomId);
  }

  say(text: string): void;
  say(roomId: number, text: string, options?: SayOptions): void;
  say(a: string | number, text?: string, options: SayOptions = {}): void {
    if (typeof a === 'string') this.core.say(a, Date.now());
    else this.core.sayIn(a, text ?? '', options, Date.now());
    this.pump();
  }

  joinRoom(name: string): void {
    this.core.joinRoom(name, Date.now());
    this.pump();
  }

  part(roomId: number, reason = ''): void {
    this.core.part(roomId, reason, Date.now());
    this.pump();
  }

  msg(nick: string, text: string, options: SayOptions = {}): void {
    this.core.msg(nick, text, options, Date.now());
    this.pump();
  }

  topic(roomId: number, text: string): void {
    this.core.topic(roomId, text, Date.now());
    this.pump();
  }

  changeNick(nick: string): void {
    this.core.changeNick(nick, Date.now());
    this.pump();
  }

  away(reason = ''): void {
    this.core.away(reason, Date.now());
    this.pump();
  }

  back(): void {
    this.core.back(Date.now());
    this.pump();
  }

  listRooms(): void {
    this.core.listRooms(Date.now());
    this.pump();
  }

  who(roomId: number): void {
    this.core.who(roomId, Date.now());
    this.pump();
  }

  leave(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(bound);
        this.off('event', onEvent);
        this.shutdown();
        resolve();
      };
      const onEvent = (e: ClientEvent): void => {
        if (e.type === 'closed') finish();
      };
      const bound = setTimeout(finish, LEAVE_WAIT_MS);
      this.on('event', onEvent);
      this.core.leave(Date.now());
      this.pump();
    });
    return this.closing;
  }

  /** Closes the socket without telling the server (used after leave, or when it is gone). */
  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.socket?.close();
  }

  private socketOnMessage(msg: Buffer): void {
    if (this.closed) return;
    if (this.seal !== undefined) this.seal.receive(msg, Date.now());
    else this.core.receive(msg, Date.now());
    this.pump();
  }

  /**
   * Errors on the connected socket are ICMP reports about the server's address. ECONNREFUSED
   * (port unreachable: nothing listens there) ends a first join at once; anything else, and
   * anything after having been online, is left to the protocol's timers (the server may be
   * restarting, the network may come back).
   */
  private socketOnError(err: NodeJS.ErrnoException): void {
    if (this.closed) return;
    if (err.code === 'ECONNREFUSED') {
      this.core.portUnreachable(Date.now());
      this.pump();
    }
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.closed) return;
    this.core.tick(Date.now());
    this.pump();
  }

  /** Sends what the core queued, emits its events, and re-arms the timer. */
  private pump(): void {
    const drained = this.core.drain();
    const { ordered } = drained;
    const datagrams = this.seal === undefined ? drained.datagrams : this.seal.wrap(drained.datagrams, Date.now());
    if (this.socket !== undefined && !this.closed) {
      for (const d of datagrams) this.socket.send(d);
    }
    const proven = this.seal?.takeProvenKey();
    if (proven !== undefined) this.emit('server-key', proven);
    this.derivePending();
    for (const e of ordered) this.emit(isRoomEvent(e) ? 'room' : 'event', e);
    if (this.closed) return;
    const deadline = this.core.nextDeadline();
    // A timer already due no later is kept (in a busy room every datagram moves the deadline a
    // little later: re-arming each time cost more than the one early tick, which re-arms).
    if (this.timer !== undefined) {
      if (this.timerAt <= deadline) return;
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!Number.isFinite(deadline)) return;
    const now = Date.now();
    this.timerAt = Math.max(now, deadline);
    this.timer = setTimeout(() => this.onTimer(), this.timerAt - now);
  }
}

/** Why a UDP connect failed, in words (the system's error text names the call, not the cause). */
function unreachableReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
      return 'a broadcast address (give the server\'s own address)';
    case 'ENETUNREACH':
      return 'the network is unreachable (is this machine connected?)';
    case 'EHOSTUNREACH':
      return 'no route to that host';
    default:
      return err.message;
  }
}
