/**
 * The server's seal layer (docs/protocol.md §5.8), sans-I/O, between the shell and the server
 * core: it takes `(datagram, from, now)` like the core, unwraps SEALED datagrams into v1 datagrams
 * for the core, and wraps what the core queued (drain) before the shell sends it.
 *
 * - HELLO → COOKIE (the core's cookie and budgets; a HELLO is larger than the COOKIE).
 * - HANDSHAKE1 → cookie checked first (HMAC, no state), then Noise IKpsk1 message 1 (4 DH); a wrong
 *   psk → REFUSAL "wrong passphrase"; else the JOIN inside goes to the core with the user's key,
 *   and the core's answer (WELCOME or a refusal) goes back as message 2.
 * - SESSION → opened with the session's keys (replay window, tag), then to the core.
 * - The core's room datagrams (DATA, SYNC to every member) are sealed ONCE with the room key and
 *   signed; everything else goes per recipient on its session channel.
 * - A cleartext JOIN (an earlier client) gets a COOKIE, then a refusal that says to upgrade.
 *
 * Invariant: a datagram that fails any check changes no state and is a counted drop
 * (`core.stats.drops`, reasons `sealed-…`). Nothing leaves in cleartext to a sealed session.
 */
import { encode, peekType, tryDecode } from '../protocol/codec.js';
import { OPCODES } from '../protocol/codec-table.js';
import { WIRE_ERROR_CODES } from '../protocol/error-codes.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { COOKIE_BYTES } from '../protocol/constants.js';
import {
  ENVELOPE_HEADER_BYTES,
  MAX_SEALED_INNER,
  SEALED_TO_SERVER,
  decodeEnvelope,
  encodeCookie,
  encodeHandshake2,
  encodeRefusal,
  envelopeHeader,
} from '../protocol/seal/envelope.js';
import { HandshakeState } from '../protocol/seal/handshake.js';
import type { ServerKeys } from '../protocol/seal/identity.js';
import { type KeyPair, x25519KeyPair } from '../protocol/seal/primitives.js';
import { NO_PASSPHRASE_PSK } from '../protocol/seal/psk.js';
import { RoomSealer, ed25519PublicKey } from '../protocol/seal/room-channel.js';
import { SEAL_PATTERN, SEAL_PROLOGUE, encodeAdmission, encodeRefusalPayload, encodeRoomKey } from '../protocol/seal/sealed-join.js';
import { SessionChannel } from '../protocol/seal/session-channel.js';
import { type PeerAddress, addressKey } from './peer-address.js';
import type { ServerCore } from './server-core.js';
import type { Outgoing, SealedPeer } from './server-types.js';
import { TokenBucket } from './token-bucket.js';

/** What an earlier (cleartext) client is told; its code is one every earlier client shows as a refusal. */
export const CLEARTEXT_REFUSAL = 'this server only admits sealed (encrypted) clients: upgrade udp-chat to join it';
const WRONG_PASSPHRASE = 'wrong passphrase';
/** A pending handshake the core never answered is forgotten after this long. */
const PENDING_MS = 10_000;
/** A session's keys are kept this long after the core ended it (late replies, its BYE). */
const ENDED_KEEP_MS = 30_000;
/** Leaves within this long share one new room key (docs/protocol.md §5.8). */
const ROTATE_MS = 1_000;
const SWEEP_MS = 1_000;
const DATA = OPCODES.data;
const SYNC = OPCODES.sync;

export interface ServerSealOptions {
  /** The server's long-term keys (X25519 static, Ed25519 signing). */
  readonly keys: ServerKeys;
  /** The pre-shared key: psk.ts's derivePsk of the passphrase, or none (32 zero bytes). */
  readonly psk?: Buffer | undefined;
  readonly random: (n: number) => Buffer;
  /**
   * Admit clients that do not seal (earlier revisions) in cleartext, beside the sealed ones
   * (`serve --allow-cleartext`): their datagrams go to the core as they are, and what the core
   * sends them goes unsealed. Default: refused with CLEARTEXT_REFUSAL.
   */
  readonly allowCleartext?: boolean | undefined;
  /** The time the layer starts at (its rate limits start full). */
  readonly now?: number;
}

interface SealedSession {
  readonly index: number;
  readonly address: PeerAddress;
  readonly header: Buffer;
  readonly channel: SessionChannel;
  readonly peer: SealedPeer;
  /** The HANDSHAKE1 that made it and the HANDSHAKE2 answer, for a retried HANDSHAKE1. */
  readonly handshake1: Buffer;
  readonly handshake2: Buffer;
  endedAt: number | undefined;
}

interface Pending {
  readonly state: HandshakeState;
  readonly clientId: Buffer;
  readonly handshake1: Buffer;
  readonly peer: SealedPeer;
  readonly at: number;
}

export class ServerSealLayer {
  /** The server's X25519 static public key (what clients pin) and Ed25519 public key. */
  readonly publicKey: Buffer;
  readonly signingKey: Buffer;
  /** Whether joining needs a passphrase (a psk was given): what discovery announces (§5.7). */
  readonly passphrase: boolean;
  /** Room datagrams sealed (once each), session datagrams sealed, and datagrams opened. */
  readonly stats = { roomSealed: 0, sessionSealed: 0, opened: 0, unsealable: 0, rotations: 0 };
  private readonly staticPair: KeyPair;
  private readonly psk: Buffer;
  private readonly random: (n: number) => Buffer;
  private readonly byAddress = new Map<string, SealedSession>();
  private readonly byIndex = new Map<number, SealedSession>();
  private readonly pending = new Map<string, Pending>();
  private direct: Outgoing[] = [];
  private keyId = 1;
  private roomKey: Buffer;
  private roomSealer: RoomSealer;
  private roomHeader: Buffer;
  private rotateDue = false;
  private rotatedAt = -Infinity;
  private sweepAt = 0;
  private readonly unknownReplies: TokenBucket;

  constructor(
    readonly core: ServerCore,
    private readonly options: ServerSealOptions,
  ) {
    // Every envelope within 1200 bytes needs the core to pack to MAX_SEALED_INNER (§5.8 "Sizes").
    if (core.options.maxDatagram > MAX_SEALED_INNER) throw new RangeError(`a sealed server's core packs at most ${MAX_SEALED_INNER}-byte datagrams (maxDatagram)`);
    this.staticPair = x25519KeyPair(options.keys.x25519);
    this.publicKey = this.staticPair.publicKey;
    this.signingKey = ed25519PublicKey(options.keys.ed25519);
    this.psk = options.psk ?? NO_PASSPHRASE_PSK;
    this.passphrase = options.psk !== undefined;
    this.random = options.random;
    this.roomKey = this.random(32);
    this.roomSealer = new RoomSealer(this.roomKey, options.keys.ed25519);
    this.roomHeader = envelopeHeader('toClient', 'room', this.keyId);
    this.unknownReplies = new TokenBucket(core.options.unknownSessionReplies, core.options.unknownSessionReplies, options.now ?? 0);
  }

  /** Sealed sessions (for specs and diagnostics). */
  get sessions(): number {
    return this.byAddress.size;
  }

  /** Handles one received datagram. Never throws for anything the peer sent. */
  receive(data: Buffer, from: PeerAddress, now: number): void {
    if (from.port === 0) return this.core.countDrop('port-zero');
    if (data.length >= 4 && data[3] === SEALED_TO_SERVER) return this.receiveSealed(data, from, now);
    if (this.options.allowCleartext === true) {
      // Never for the address of a sealed session: only its keys speak for it.
      if (this.byAddress.size > 0 && this.live(from) !== undefined) return this.core.countDrop('cleartext-on-sealed');
      return this.core.receive(data, from, now);
    }
    if (peekType(data) === 'join') return this.refuseCleartext(data, from, now);
    this.core.countDrop('cleartext');
  }

  private receiveSealed(data: Buffer, from: PeerAddress, now: number): void {
    const env = decodeEnvelope(data, 'toServer');
    if ('fault' in env) return this.core.countDrop(`sealed-${env.fault}`);
    switch (env.kind) {
      case 'hello': {
        const cookie = this.core.helloCookie(from, env.clientId, now);
        if (cookie !== undefined) this.direct.push({ to: from, data: encodeCookie(env.clientId, cookie, this.publicKey) });
        return;
      }
      case 'handshake1':
        return this.onHandshake1(env.clientId, env.cookie, env.message, data, from, now);
      case 'session':
        return this.onSession(env.index, env.datagram, from, now);
      default:
        return this.core.countDrop('sealed-kind');
    }
  }

  private onHandshake1(clientId: Buffer, cookie: Buffer, message: Buffer, data: Buffer, from: PeerAddress, now: number): void {
    const key = addressKey(from);
    const here = this.byAddress.get(key);
    if (here !== undefined && here.endedAt === undefined && here.handshake1.equals(data)) {
      // Its HANDSHAKE2 was lost: the same answer again (the address is proven by the cookie it carried).
      this.direct.push({ to: from, data: here.handshake2 });
      return this.core.countDrop('sealed-handshake-retry');
    }
    // Cheap refusal: the cookie (two HMACs within a budget) before any DH or state. An expired
    // one gets a new COOKIE (within the COOKIE budgets; smaller than any HANDSHAKE1).
    if (!this.core.checkCookie(from, clientId, cookie, now)) {
      const fresh = this.core.helloCookie(from, clientId, now);
      if (fresh !== undefined) this.direct.push({ to: from, data: encodeCookie(clientId, fresh, this.publicKey) });
      return;
    }
    const state = new HandshakeState({
      pattern: SEAL_PATTERN,
      role: 'responder',
      prologue: SEAL_PROLOGUE,
      staticPrivateKey: this.staticPair,
      ephemeralPrivateKey: this.random(32),
      psk: this.psk,
    });
    const payload = state.readMessage(message);
    if (payload === undefined) {
      // The client's static key decrypted but not the payload: another psk (the CRC ruled out damage).
      if (state.lastFailure === 'payload') {
        this.direct.push({ to: from, data: encodeRefusal(clientId, WIRE_ERROR_CODES.UDPCHAT_ERR_WRONG_PASSPHRASE, WRONG_PASSPHRASE) });
        return this.core.countDrop('sealed-wrong-passphrase');
      }
      return this.core.countDrop('sealed-handshake');
    }
    const join = tryDecode(payload);
    if (join instanceof ProtocolError || join.type !== 'join' || !join.clientId.equals(clientId) || !join.cookie.equals(cookie)) {
      return this.core.countDrop('sealed-join');
    }
    const peer: SealedPeer = { staticKey: Buffer.from(state.remoteStaticPublicKey!) };
    this.pending.set(key, { state, clientId, handshake1: data, peer, at: now });
    this.core.receive(payload, from, now, peer);
  }

  private onSession(index: number, datagram: Buffer, from: PeerAddress, now: number): void {
    const s = this.byIndex.get(index);
    if (s === undefined || s.address.port !== from.port || s.address.address !== from.address) {
      // As UNKNOWN_SESSION in clear (§5.2): after a restart the client rejoins at once instead of
      // waiting out its idle timeout. Smaller than any SESSION datagram, within a global rate.
      if (s === undefined && this.unknownReplies.take(now)) {
        this.direct.push({ to: from, data: encodeRefusal(ZERO_ID, WIRE_ERROR_CODES.UDPCHAT_ERR_UNKNOWN_SESSION, '', index) });
      }
      return this.core.countDrop('sealed-unknown-session');
    }
    const inner = s.channel.open(datagram, ENVELOPE_HEADER_BYTES);
    if (inner === undefined) return this.core.countDrop('sealed-open');
    this.stats.opened++;
    // A JOIN comes only inside a handshake.
    if (inner[3] === OPCODES.join) return this.core.countDrop('sealed-join-in-session');
    this.core.receive(inner, from, now, s.peer);
  }

  /**
   * A cleartext JOIN: a zero cookie gets a COOKIE (smaller than the JOIN, within the core's
   * budgets), a valid cookie the refusal — sent only to a proven address, so it may be longer
   * than the JOIN. SERVER_FULL is the refusal every earlier client shows with its detail.
   */
  private refuseCleartext(data: Buffer, from: PeerAddress, now: number): void {
    const m = tryDecode(data);
    if (m instanceof ProtocolError || m.type !== 'join') return this.core.countDrop('cleartext');
    if (m.cookie.equals(ZERO_COOKIE)) {
      const cookie = this.core.helloCookie(from, m.clientId, now);
      if (cookie !== undefined) this.direct.push({ to: from, data: encode({ type: 'cookie', clientId: m.clientId, cookie }) });
      return;
    }
    if (!this.core.checkCookie(from, m.clientId, m.cookie, now)) return;
    this.core.countDrop('cleartext-join');
    this.direct.push({ to: from, data: encode({ type: 'error', ref: m.clientId, code: 'UDPCHAT_ERR_SERVER_FULL', arg: 0, detail: CLEARTEXT_REFUSAL }) });
  }

  /** The core's drain, wrapped: what the shell sends. */
  drain(now: number): ReturnType<ServerCore['drain']> {
    const r = this.core.drain();
    // Nobody sealed, nothing of ours queued, and cleartext allowed: the core's datagrams go as
    // they are (what wrapMany and wrapOne would make of them), and no leave concerns a sealed session.
    if (this.byAddress.size === 0 && this.pending.size === 0 && this.direct.length === 0 && !this.rotateDue && this.options.allowCleartext === true) return r;
    const out = this.direct;
    this.direct = [];
    if (this.rotateDue && now - this.rotatedAt >= ROTATE_MS) this.rotate(now, out);
    for (const d of r.datagrams) {
      if (Array.isArray(d.to)) this.wrapMany(d.to as readonly PeerAddress[], d.data, out);
      else this.wrapOne(d.to as PeerAddress, d.data, out);
    }
    for (const e of r.events) {
      if (e.type !== 'leave') continue;
      const s = this.byAddress.get(addressKey(e.address));
      if (s !== undefined && this.core.sessions.byAddress(e.address) === undefined) this.ended(s, now);
    }
    if (now >= this.sweepAt) this.sweep(now);
    return { ...r, datagrams: out };
  }

  private wrapMany(to: readonly PeerAddress[], data: Buffer, out: Outgoing[]): void {
    const type = data[3];
    if (type !== DATA && type !== SYNC) {
      // Anything else to several peers goes to each on its own session (never under the room key).
      for (const a of to) this.wrapOne(a, data, out);
      return;
    }
    // No sealed session at all: nobody to seal for, nobody to filter out.
    if (this.byAddress.size === 0) {
      if (this.options.allowCleartext === true) out.push({ to, data });
      else this.stats.unsealable += to.length;
      return;
    }
    let sealedTo: PeerAddress[] | undefined;
    let count = 0;
    for (const a of to) {
      if (this.live(a) !== undefined) count++;
    }
    if (count !== to.length) {
      sealedTo = to.filter((a) => this.live(a) !== undefined);
      if (this.options.allowCleartext === true) {
        // Cleartext members get the inner bytes, encoded once for all of them.
        const clear = to.filter((a) => !this.byAddress.has(addressKey(a)));
        if (clear.length > 0) out.push({ to: clear, data });
      } else this.stats.unsealable += to.length - count;
    }
    if (count === 0) return;
    this.stats.roomSealed++;
    out.push({ to: sealedTo ?? to, data: this.roomSealer.seal(this.roomHeader, data) });
  }

  private wrapOne(to: PeerAddress, data: Buffer, out: Outgoing[]): void {
    if (this.byAddress.size === 0 && this.pending.size === 0) {
      if (this.options.allowCleartext === true) out.push({ to, data });
      else this.stats.unsealable++;
      return;
    }
    const key = addressKey(to);
    const p = this.pending.get(key);
    if (p !== undefined && this.answersHandshake(p, data)) {
      this.pending.delete(key);
      return this.answer(p, to, data, out);
    }
    const s = this.byAddress.get(key);
    if (s === undefined) {
      if (this.options.allowCleartext === true) out.push({ to, data });
      else this.stats.unsealable++;
      return;
    }
    this.stats.sessionSealed++;
    out.push({ to, data: s.channel.seal(s.header, data) });
  }

  /** A WELCOME, or an ERROR refusing this JOIN: message 2 carries it. */
  private answersHandshake(p: Pending, data: Buffer): boolean {
    if (data[3] === OPCODES.welcome) return true;
    if (data[3] !== OPCODES.error) return false;
    const m = tryDecode(data);
    return !(m instanceof ProtocolError) && m.type === 'error' && m.ref.equals(p.clientId);
  }

  private answer(p: Pending, to: PeerAddress, data: Buffer, out: Outgoing[]): void {
    if (data[3] !== OPCODES.welcome) {
      out.push({ to, data: encodeHandshake2(0, p.state.writeMessage(encodeRefusalPayload(data))) });
      return;
    }
    const message = p.state.writeMessage(encodeAdmission({ keyId: this.keyId, roomKey: this.roomKey, signingKey: this.signingKey }, data));
    const keys = p.state.result();
    const index = this.newIndex();
    const handshake2 = encodeHandshake2(index, message);
    const old = this.byAddress.get(addressKey(to));
    if (old !== undefined) this.byIndex.delete(old.index);
    const s: SealedSession = {
      index,
      address: { address: to.address, port: to.port },
      header: envelopeHeader('toClient', 'session', index),
      channel: new SessionChannel({ sendKey: keys.sendKey, receiveKey: keys.receiveKey }),
      peer: p.peer,
      handshake1: p.handshake1,
      handshake2,
      endedAt: undefined,
    };
    this.byAddress.set(addressKey(to), s);
    this.byIndex.set(index, s);
    out.push({ to, data: handshake2 });
  }

  /** The live sealed session at an address, if any. */
  private live(a: PeerAddress): SealedSession | undefined {
    const s = this.byAddress.get(addressKey(a));
    return s !== undefined && s.endedAt === undefined ? s : undefined;
  }

  /** The core ended this session: a new room key soon (what follows is not for it), its keys kept a while. */
  private ended(s: SealedSession, now: number): void {
    s.endedAt = now;
    this.rotateDue = true;
  }

  /** A new room key for the members still here, each told on its own session (ROOM_KEY). */
  private rotate(now: number, out: Outgoing[]): void {
    this.rotateDue = false;
    this.rotatedAt = now;
    this.stats.rotations++;
    this.keyId = this.keyId >= 0xffffffff ? 1 : this.keyId + 1;
    this.roomKey = this.random(32);
    this.roomSealer = new RoomSealer(this.roomKey, this.options.keys.ed25519);
    this.roomHeader = envelopeHeader('toClient', 'room', this.keyId);
    const grant = encodeRoomKey(this.keyId, this.roomKey);
    for (const s of this.byAddress.values()) {
      if (s.endedAt !== undefined) continue;
      this.stats.sessionSealed++;
      out.push({ to: s.address, data: s.channel.seal(s.header, grant) });
    }
  }

  /** Forgets ended sessions' keys, sessions the core no longer has, and unanswered handshakes. */
  private sweep(now: number): void {
    this.sweepAt = now + SWEEP_MS;
    for (const [key, s] of this.byAddress) {
      if (s.endedAt === undefined && this.core.sessions.byAddress(s.address) === undefined) this.ended(s, now);
      if (s.endedAt !== undefined && now - s.endedAt >= ENDED_KEEP_MS) {
        this.byAddress.delete(key);
        this.byIndex.delete(s.index);
      }
    }
    for (const [key, p] of this.pending) if (now - p.at >= PENDING_MS) this.pending.delete(key);
  }

  private newIndex(): number {
    for (;;) {
      const index = this.random(4).readUInt32BE(0);
      if (index !== 0 && !this.byIndex.has(index)) return index;
    }
  }
}

const ZERO_COOKIE = Buffer.alloc(COOKIE_BYTES);
const ZERO_ID = Buffer.alloc(16);
