/**
 * The client's seal layer (docs/protocol.md §5.8), sans-I/O, between the shell and the client
 * core: `receive(datagram, now)` unwraps what the server sent into v1 datagrams for the core, and
 * `wrap(datagrams)` turns what the core queued into SEALED datagrams.
 *
 * - The core's JOIN with a zero cookie → HELLO; the COOKIE answer → a v1 COOKIE for the core (after
 *   the server's key is checked against the pinned one); the core's JOIN with that cookie →
 *   HANDSHAKE1 (Noise IKpsk1 message 1, the JOIN as payload); HANDSHAKE2 → the WELCOME (or the
 *   refusal) inside, the session keys and the room key.
 * - After that every datagram is sealed on the session channel; the server's room datagrams are
 *   opened with the room key and its Ed25519 signature.
 *
 * Invariant: anything that is not a SEALED datagram this session can open — a cleartext datagram,
 * a forged, damaged or replayed one — is a counted drop that never reaches the core and changes no
 * state (the replay windows move only after a tag, and for room datagrams the signature, verified).
 */
import type { KeyObject } from 'node:crypto';
import { encode, peekType, tryDecode } from '../protocol/codec.js';
import { COOKIE_BYTES } from '../protocol/constants.js';
import { wireErrorCodeOf } from '../protocol/error-codes.js';
import { CAP_IDENTITY } from '../protocol/whois-codec.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { ENVELOPE_HEADER_BYTES, decodeEnvelope, encodeHandshake1, encodeHello, envelopeHeader } from '../protocol/seal/envelope.js';
import { fingerprint } from '../protocol/seal/fingerprint.js';
import { HandshakeState } from '../protocol/seal/handshake.js';
import { type KeyPair, x25519KeyPair } from '../protocol/seal/primitives.js';
import { NO_PASSPHRASE_PSK } from '../protocol/seal/psk.js';
import { RoomOpener, ed25519PublicKeyObject } from '../protocol/seal/room-channel.js';
import { SEAL_PATTERN, SEAL_PROLOGUE, decodeHandshake2Payload, decodeRoomKey, isControl } from '../protocol/seal/sealed-join.js';
import { SessionChannel } from '../protocol/seal/session-channel.js';
import type { ClientCore } from './client-core.js';

/** Room keys a member keeps (the current one and the one before, for datagrams in flight). */
const ROOM_KEYS_KEPT = 2;
const ZERO_COOKIE = Buffer.alloc(COOKIE_BYTES);
/** A re-keying HELLO or HANDSHAKE1 unanswered this long is sent again. */
const REKEY_RETRY_MS = 1_000;

export interface ClientSealOptions {
  /** The user's X25519 private key (user.key): the identity nicks are bound to. */
  readonly userKey: Buffer;
  /** The server's static public key as pinned (known_servers) or given; undefined: trust on first use. */
  readonly serverKey?: Buffer | undefined;
  /** Accept a server key that differs from the pinned one (and pin the new one). */
  readonly acceptNewKey?: boolean | undefined;
  /**
   * The fingerprint the user was given for this server (`join --server-key SHA256:…`): only a key
   * with this fingerprint is accepted, whatever is pinned (and it is then pinned).
   */
  readonly expectedFingerprint?: string | undefined;
  /**
   * The psk for a server key (psk.ts's derivePsk of the passphrase), undefined while not known yet
   * (the shell derives it and calls {@link ClientSealLayer.pskReady}); absent: no passphrase.
   */
  readonly psk?: ((serverKey: Buffer) => Buffer | undefined) | undefined;
  readonly random: (n: number) => Buffer;
}

interface Handshaking {
  readonly state: HandshakeState;
  /** The JOIN it carries and the HANDSHAKE1 sent, for the core's retries. */
  readonly join: Buffer;
  readonly datagram: Buffer;
}

interface Session {
  readonly index: number;
  readonly header: Buffer;
  readonly channel: SessionChannel;
  readonly signingKey: KeyObject;
  readonly rooms: Map<number, RoomOpener>;
}

export class ClientSealLayer {
  /** Datagrams dropped, by reason (`cleartext`, `fault-…`, `open`, `room-open`, …). */
  readonly drops: Record<string, number> = {};
  /** Datagrams opened and passed to the core. */
  opened = 0;
  /** The server key a HANDSHAKE2 proved, when it is not the pinned one: the shell pins it. Taken once. */
  private proven: Buffer | undefined;
  /** The server key used for the handshake: pinned, else from the COOKIE. */
  private serverKey: Buffer | undefined;
  /** The key pinned for this server: given, then each key a handshake proved. */
  private pinned: Buffer | undefined;
  private readonly userPair: KeyPair;
  private handshake: Handshaking | undefined;
  private session: Session | undefined;
  /** A COOKIE held until the psk for its server key is known. */
  private heldCookie: Buffer | undefined;
  /**
   * Re-keying the session the core is still in (the server restarted and lost our keys): the
   * layer's own HELLO / HANDSHAKE1, and when it last sent it (resent every second while wrap() runs).
   */
  private rekey: { datagram: Buffer; at: number } | undefined;
  /** Datagrams of the layer's own, sent with the next wrap(). */
  private own: Buffer[] = [];

  constructor(
    readonly core: ClientCore,
    private readonly options: ClientSealOptions,
  ) {
    this.userPair = x25519KeyPair(options.userKey);
    this.pinned = options.serverKey;
  }

  /** The user's static public key (what the server binds nicks to). */
  get userPublicKey(): Buffer {
    return this.userPair.publicKey;
  }

  /** True once a handshake completed and the session's keys are in use. */
  get established(): boolean {
    return this.session !== undefined;
  }

  /** The server key waiting for its psk (the shell derives it, then calls pskReady), if any. */
  get pskWanted(): Buffer | undefined {
    return this.heldCookie === undefined ? undefined : this.serverKey;
  }

  /** Takes the newly proven server key to pin (once per change), if any. */
  takeProvenKey(): Buffer | undefined {
    const key = this.proven;
    this.proven = undefined;
    return key;
  }

  /** The psk for the held COOKIE's server key is known now: the join goes on. */
  pskReady(now: number): void {
    const held = this.heldCookie;
    this.heldCookie = undefined;
    if (held !== undefined) this.core.receive(held, now);
  }

  /** Handles one datagram from the server's address. Never throws for anything the network sent. */
  receive(data: Buffer, now: number): void {
    const env = decodeEnvelope(data, 'toClient');
    if ('fault' in env) return this.drop(env.fault === 'type' || env.fault === 'magic' ? 'cleartext' : `fault-${env.fault}`);
    switch (env.kind) {
      case 'cookie':
        return this.onCookie(env.clientId, env.cookie, env.serverKey, now);
      case 'handshake2':
        return this.onHandshake2(env.index, env.message, now);
      case 'refusal':
        if (env.index !== 0) return this.onUnknownSession(env.index, env.code, now);
        return this.onRefusal(env.clientId, env.code, env.detail, now);
      case 'session':
        return this.onSession(env.index, env.datagram, now);
      case 'room':
        return this.onRoom(env.keyId, env.datagram, now);
      default:
        return this.drop('kind');
    }
  }

  private onCookie(clientId: Buffer, cookie: Buffer, serverKey: Buffer, now: number): void {
    if (this.rekey !== undefined && this.session === undefined && clientId.equals(this.core.clientId) && this.pinnedOrUsed(serverKey)) return this.rekeyJoin(cookie, now);
    // Also while a HANDSHAKE1 is out: the server answers one whose cookie expired with a new COOKIE.
    if (!clientId.equals(this.core.clientId) || this.session !== undefined) return this.drop('cookie');
    const expected = this.options.expectedFingerprint;
    if (expected !== undefined && fingerprint(serverKey) !== expected) {
      this.drop('key-mismatch');
      return this.core.refuseServer(
        'UDPCHAT_ERR_SERVER_KEY_CHANGED',
        `WARNING: the server's key is ${fingerprint(serverKey)}, not ${expected} as given with --server-key. ` +
          'Someone may be impersonating the server, or the fingerprint was copied wrong: compare it with what `udp-chat serve` printed',
        now,
      );
    }
    if (expected === undefined && this.pinned !== undefined && !this.pinned.equals(serverKey) && this.options.acceptNewKey !== true) {
      this.drop('key-changed');
      return this.core.refuseServer(
        'UDPCHAT_ERR_SERVER_KEY_CHANGED',
        `WARNING: the server's key changed: it is now ${fingerprint(serverKey)}, it was ${fingerprint(this.pinned)}. ` +
          'Someone may be impersonating the server, or its operator replaced its key: if you expected this, join with --accept-new-key',
        now,
      );
    }
    this.serverKey = serverKey;
    this.handshake = undefined;
    const inner = encode({ type: 'cookie', clientId, cookie });
    if (this.options.psk !== undefined && this.options.psk(serverKey) === undefined) {
      this.heldCookie = inner;
      return;
    }
    this.core.receive(inner, now);
  }

  private onHandshake2(index: number, message: Buffer, now: number): void {
    const h = this.handshake;
    if (h === undefined) return this.drop('handshake2');
    const payload = h.state.readMessage(message);
    const parsed = payload === undefined ? undefined : decodeHandshake2Payload(payload);
    if (parsed === undefined) return this.drop('handshake2');
    this.handshake = undefined;
    const rekeyed = this.rekey !== undefined;
    this.rekey = undefined;
    const grant = parsed.grant;
    if (grant !== undefined) {
      const signingKey = ed25519PublicKeyObject(grant.signingKey);
      if (signingKey === undefined || index === 0) return this.drop('handshake2');
      const keys = h.state.result();
      this.session = {
        index,
        header: envelopeHeader('toServer', 'session', index),
        channel: new SessionChannel({ sendKey: keys.sendKey, receiveKey: keys.receiveKey }),
        signingKey,
        rooms: new Map([[grant.keyId, new RoomOpener(grant.roomKey, signingKey)]]),
      };
      // Proven now (the server holds the private key): pin it if it is new to us.
      if (this.pinned === undefined || !this.pinned.equals(keys.remoteStaticPublicKey)) {
        this.proven = keys.remoteStaticPublicKey;
        this.pinned = keys.remoteStaticPublicKey;
      }
    }
    this.opened++;
    if (rekeyed) {
      // The same session with new keys: the core knows nothing happened. Anything else (a new
      // session, a refusal) and the core joins again as after UNKNOWN_SESSION.
      const welcome = tryDecode(parsed.inner);
      const token = this.core.sender.sessionToken;
      if (grant !== undefined && token !== undefined && !(welcome instanceof ProtocolError) && welcome.type === 'welcome' && welcome.token.equals(token)) return;
      if (token !== undefined) this.core.receive(encode({ type: 'error', ref: token, code: 'UDPCHAT_ERR_UNKNOWN_SESSION', arg: 0, detail: '' }), now);
      return;
    }
    this.core.receive(parsed.inner, now);
  }

  /** True if a COOKIE's key is the one this layer trusts for the session being re-keyed. */
  private pinnedOrUsed(serverKey: Buffer): boolean {
    return this.serverKey !== undefined && this.serverKey.equals(serverKey);
  }

  /** Re-keying: the JOIN the core would send, with the new cookie, in the layer's own HANDSHAKE1. */
  private rekeyJoin(cookie: Buffer, now: number): void {
    const join = encode({ type: 'join', cookie, clientId: this.core.clientId, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: CAP_IDENTITY, nick: this.core.nick });
    const datagram = this.handshake1(join);
    if (datagram === undefined) return this.drop('cookie');
    this.rekey = { datagram, at: now };
    this.own.push(datagram);
  }

  /** A cleartext refusal (unauthenticated; only a wrong passphrase is told this way). */
  private onRefusal(clientId: Buffer, code: number, detail: string, now: number): void {
    if (!clientId.equals(this.core.clientId) || this.handshake === undefined || wireErrorCodeOf(code) !== 'UDPCHAT_ERR_WRONG_PASSPHRASE') return this.drop('refusal');
    this.handshake = undefined;
    const given = this.options.psk !== undefined;
    this.core.refuseServer('UDPCHAT_ERR_WRONG_PASSPHRASE', given ? 'wrong passphrase' : `the server needs a passphrase (${detail.length > 0 ? 'it said: wrong passphrase' : 'none given'}): join with --passphrase or UDP_CHAT_PASSPHRASE`, now);
  }

  /**
   * The server does not know our session index (it restarted): an unauthenticated notice, believed
   * only for the current index (a 32-bit random number an off-path attacker does not see), and all
   * it does is start a new handshake for the same session.
   */
  private onUnknownSession(index: number, code: number, now: number): void {
    const s = this.session;
    if (s === undefined || index !== s.index || this.core.sender.sessionToken === undefined || wireErrorCodeOf(code) !== 'UDPCHAT_ERR_UNKNOWN_SESSION') return this.drop('refusal');
    // Re-key the session the core is in (a restarted server restored it from its store): the
    // core goes on as if nothing happened, and what it sends meanwhile is resent by its timers.
    this.session = undefined;
    this.handshake = undefined;
    const hello = encodeHello(this.core.clientId);
    this.rekey = { datagram: hello, at: now };
    this.own.push(hello);
  }

  private onSession(index: number, datagram: Buffer, now: number): void {
    const s = this.session;
    if (s === undefined || index !== s.index) return this.drop('session');
    const inner = s.channel.open(datagram, ENVELOPE_HEADER_BYTES);
    if (inner === undefined) return this.drop('open');
    if (isControl(inner)) {
      const grant = decodeRoomKey(inner);
      if (grant === undefined) return this.drop('control');
      s.rooms.set(grant.keyId, new RoomOpener(grant.roomKey, s.signingKey));
      while (s.rooms.size > ROOM_KEYS_KEPT) s.rooms.delete(s.rooms.keys().next().value as number);
      return;
    }
    this.opened++;
    this.core.receive(inner, now);
  }

  private onRoom(keyId: number, datagram: Buffer, now: number): void {
    const opener = this.session?.rooms.get(keyId);
    if (opener === undefined) return this.drop('room-key');
    const inner = opener.open(datagram, ENVELOPE_HEADER_BYTES);
    if (inner === undefined) return this.drop('room-open');
    this.opened++;
    this.core.receive(inner, now);
  }

  /** The core's datagrams, sealed for the server (a datagram that cannot go yet is left out). */
  wrap(datagrams: readonly Buffer[], now: number): Buffer[] {
    const out: Buffer[] = this.own;
    this.own = [];
    if (this.rekey !== undefined && now - this.rekey.at >= REKEY_RETRY_MS) {
      this.rekey.at = now;
      out.push(this.rekey.datagram);
    }
    for (const d of datagrams) {
      const sealed = this.wrapOne(d);
      if (sealed !== undefined) out.push(sealed);
    }
    return out;
  }

  private wrapOne(d: Buffer): Buffer | undefined {
    if (peekType(d) !== 'join') return this.session === undefined ? undefined : this.session.channel.seal(this.session.header, d);
    const join = tryDecode(d);
    if (join instanceof ProtocolError || join.type !== 'join') return undefined;
    if (join.cookie.equals(ZERO_COOKIE)) {
      // A new join from the start: whatever session there was is over.
      this.session = undefined;
      this.handshake = undefined;
      this.rekey = undefined;
      this.heldCookie = undefined;
      this.serverKey = this.pinned;
      return encodeHello(join.clientId);
    }
    if (this.handshake?.join.equals(d) === true) return this.handshake.datagram;
    this.rekey = undefined;
    return this.handshake1(d);
  }

  /** A new handshake carrying this JOIN (undefined while the server key or its psk is not known). */
  private handshake1(d: Buffer): Buffer | undefined {
    const join = tryDecode(d);
    if (join instanceof ProtocolError || join.type !== 'join') return undefined;
    const serverKey = this.serverKey;
    if (serverKey === undefined) return undefined;
    const psk = this.options.psk === undefined ? NO_PASSPHRASE_PSK : this.options.psk(serverKey);
    if (psk === undefined) return undefined;
    const state = new HandshakeState({
      pattern: SEAL_PATTERN,
      role: 'initiator',
      prologue: SEAL_PROLOGUE,
      staticPrivateKey: this.userPair,
      ephemeralPrivateKey: this.options.random(32),
      remoteStaticPublicKey: serverKey,
      psk,
    });
    const datagram = encodeHandshake1(join.clientId, join.cookie, state.writeMessage(d));
    this.handshake = { state, join: d, datagram };
    this.session = undefined;
    return datagram;
  }

  private drop(reason: string): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
  }
}
