/**
 * Noise HandshakeState (revision 34, §5.3) for the one-way-known-responder patterns udp-chat uses:
 * `IK` and its pre-shared-key variants `IKpsk1` and `IKpsk2` (§9), with 25519, ChaChaPoly, SHA256.
 *
 *     IK:      <- s  ...  -> e, es, s, ss        <- e, ee, se
 *     IKpsk1:  <- s  ...  -> e, es, s, ss, psk   <- e, ee, se
 *     IKpsk2:  <- s  ...  -> e, es, s, ss        <- e, ee, se, psk
 *
 * Pure: the caller passes the static key pair, the peer's static key (initiator), the pre-shared key
 * and this side's ephemeral private key (its randomness), and gets bytes back. A message from the
 * network that fails (wrong length, bad tag, unusable key) makes readMessage return undefined and
 * leaves the state as it was, so a forged message cannot end a handshake in progress.
 */
import { SymmetricState } from './symmetric-state.js';
import { KEY_BYTES, TAG_BYTES, x25519, x25519KeyPair } from './primitives.js';
import type { KeyPair } from './primitives.js';

export type IkPattern = 'IK' | 'IKpsk1' | 'IKpsk2';
/**
 * Why the last readMessage failed: 'malformed' (too short, an unusable key, or the sender's static
 * key did not decrypt: not for us), or 'payload' (everything up to the payload verified, its tag did
 * not: in IKpsk1 message 1, the initiator used another psk — a wrong passphrase, or damage).
 */
export type HandshakeFailure = 'malformed' | 'payload';
export type HandshakeRole = 'initiator' | 'responder';
type DhToken = 'ee' | 'es' | 'se' | 'ss';
type Token = 'e' | 's' | DhToken | 'psk';

/** Whose keys each DH token combines: [this side's, the peer's], "es" = initiator's e with responder's s. */
const DH_KEYS: Record<DhToken, Record<HandshakeRole, readonly ['e' | 's', 'e' | 's']>> = {
  ee: { initiator: ['e', 'e'], responder: ['e', 'e'] },
  es: { initiator: ['e', 's'], responder: ['s', 'e'] },
  se: { initiator: ['s', 'e'], responder: ['e', 's'] },
  ss: { initiator: ['s', 's'], responder: ['s', 's'] },
};

const MESSAGES: Record<IkPattern, readonly [readonly Token[], readonly Token[]]> = {
  IK: [['e', 'es', 's', 'ss'], ['e', 'ee', 'se']],
  IKpsk1: [['e', 'es', 's', 'ss', 'psk'], ['e', 'ee', 'se']],
  IKpsk2: [['e', 'es', 's', 'ss'], ['e', 'ee', 'se', 'psk']],
};

/** The Noise protocol name of a pattern, e.g. `Noise_IKpsk1_25519_ChaChaPoly_SHA256`. */
export function protocolName(pattern: IkPattern): string {
  return `Noise_${pattern}_25519_ChaChaPoly_SHA256`;
}

export interface HandshakeOptions {
  readonly pattern: IkPattern;
  readonly role: HandshakeRole;
  /** Bytes both sides must agree on (bound into the handshake hash); may be empty. */
  readonly prologue: Uint8Array;
  /** This side's long-term X25519 key: 32 private bytes, or a pair made once by x25519KeyPair. */
  readonly staticPrivateKey: Uint8Array | KeyPair;
  /** This side's ephemeral X25519 private key (32 random bytes, never reused). */
  readonly ephemeralPrivateKey: Uint8Array;
  /** The responder's static public key: required for the initiator (the `<- s` pre-message). */
  readonly remoteStaticPublicKey?: Uint8Array;
  /** The 32-byte pre-shared key: required for the psk patterns. */
  readonly psk?: Uint8Array;
}

/** What a finished handshake gives each side. */
export interface HandshakeResult {
  /** Key for what this side sends, and for what it receives. */
  readonly sendKey: Buffer;
  readonly receiveKey: Buffer;
  /** The handshake hash h: the same on both sides, unique to this handshake. */
  readonly handshakeHash: Buffer;
  /** The peer's static public key (the initiator's, as the responder learned it from message 1). */
  readonly remoteStaticPublicKey: Buffer;
}

interface Peer {
  re: Buffer | undefined;
  rs: Buffer | undefined;
}

/** One side of one handshake. Methods throw only on our own misuse (wrong turn, missing key). */
export class HandshakeState {
  readonly #options: HandshakeOptions;
  readonly #s: KeyPair;
  readonly #e: KeyPair;
  #symmetric: SymmetricState;
  #peer: Peer;
  #turn = 0;
  #failure: HandshakeFailure | undefined;

  constructor(options: HandshakeOptions) {
    const { pattern, role, psk, remoteStaticPublicKey } = options;
    if (pattern !== 'IK' && psk?.length !== KEY_BYTES) throw new RangeError(`${pattern} needs a ${KEY_BYTES}-byte psk`);
    if (role === 'initiator' && remoteStaticPublicKey?.length !== KEY_BYTES) {
      throw new RangeError(`an ${pattern} initiator needs the responder's ${KEY_BYTES}-byte static key`);
    }
    this.#options = options;
    const s = options.staticPrivateKey;
    this.#s = s instanceof Uint8Array ? x25519KeyPair(s) : s;
    this.#e = x25519KeyPair(options.ephemeralPrivateKey);
    this.#peer = { re: undefined, rs: role === 'initiator' ? Buffer.from(remoteStaticPublicKey!) : undefined };
    this.#symmetric = new SymmetricState(protocolName(pattern));
    this.#symmetric.mixHash(options.prologue);
    // The pre-message "<- s": both sides hash the responder's static key.
    this.#symmetric.mixHash(role === 'initiator' ? this.#peer.rs! : this.#s.publicKey);
  }

  /** Why the last readMessage returned undefined (undefined after a success). */
  get lastFailure(): HandshakeFailure | undefined {
    return this.#failure;
  }

  /** The peer's static public key once known (the responder learns it from message 1). */
  get remoteStaticPublicKey(): Buffer | undefined {
    return this.#peer.rs;
  }

  /** True once both messages have been written or read. */
  get complete(): boolean {
    return this.#turn === 2;
  }

  /** True when it is this side's turn to write. */
  get writing(): boolean {
    return this.#turn === (this.#options.role === 'initiator' ? 0 : 1);
  }

  /** WriteMessage(payload): the next handshake message. Throws if it is not this side's turn. */
  writeMessage(payload: Uint8Array): Buffer {
    if (!this.writing) throw new Error('not our turn to write a handshake message');
    const out: Buffer[] = [];
    for (const token of MESSAGES[this.#options.pattern][this.#turn]!) {
      if (token === 'e') {
        out.push(this.#e.publicKey);
        this.#symmetric.mixHash(this.#e.publicKey);
        if (this.#options.pattern !== 'IK') this.#symmetric.mixKey(this.#e.publicKey);
      } else if (token === 's') {
        out.push(this.#symmetric.encryptAndHash(this.#s.publicKey));
      } else if (!this.#mixToken(token, this.#symmetric, this.#peer)) {
        throw new Error(`handshake ${token}: unusable key`);
      }
    }
    out.push(this.#symmetric.encryptAndHash(payload));
    this.#turn += 1;
    return Buffer.concat(out);
  }

  /**
   * ReadMessage(message): the payload, or undefined if the message is not the peer's next message
   * under this handshake (then nothing changes). Never throws for the message's content.
   */
  readMessage(message: Uint8Array): Buffer | undefined {
    this.#failure = 'malformed';
    if (this.writing || this.complete) return undefined;
    const symmetric = this.#symmetric.clone();
    const peer: Peer = { ...this.#peer };
    let offset = 0;
    for (const token of MESSAGES[this.#options.pattern][this.#turn]!) {
      if (token === 'e') {
        if (message.length < offset + KEY_BYTES) return undefined;
        peer.re = Buffer.from(message.subarray(offset, (offset += KEY_BYTES)));
        symmetric.mixHash(peer.re);
        if (this.#options.pattern !== 'IK') symmetric.mixKey(peer.re);
      } else if (token === 's') {
        const length = KEY_BYTES + TAG_BYTES; // s is always encrypted in IK (es comes before it)
        if (message.length < offset + length) return undefined;
        peer.rs = symmetric.decryptAndHash(message.subarray(offset, (offset += length)));
        if (peer.rs === undefined) return undefined;
      } else if (!this.#mixToken(token, symmetric, peer)) {
        return undefined;
      }
    }
    const payload = symmetric.decryptAndHash(message.subarray(offset));
    if (payload === undefined) {
      this.#failure = 'payload';
      return undefined;
    }
    this.#symmetric = symmetric;
    this.#peer = peer;
    this.#turn += 1;
    this.#failure = undefined;
    return payload;
  }

  /**
   * Split(): the transport keys once the handshake is complete. Throws before that (misuse).
   */
  result(): HandshakeResult {
    if (!this.complete || this.#peer.rs === undefined) throw new Error('the handshake is not complete');
    const [initiatorToResponder, responderToInitiator] = this.#symmetric.split();
    const initiator = this.#options.role === 'initiator';
    return {
      sendKey: initiator ? initiatorToResponder : responderToInitiator,
      receiveKey: initiator ? responderToInitiator : initiatorToResponder,
      handshakeHash: this.#symmetric.handshakeHash(),
      remoteStaticPublicKey: Buffer.from(this.#peer.rs),
    };
  }

  /** The DH and psk tokens; false if a DH fails (a low-order key from the peer). */
  #mixToken(token: DhToken | 'psk', symmetric: SymmetricState, peer: Peer): boolean {
    if (token === 'psk') {
      symmetric.mixKeyAndHash(this.#options.psk!);
      return true;
    }
    const shared = this.#dh(token, peer);
    if (shared === undefined) return false;
    symmetric.mixKey(shared);
    return true;
  }

  #dh(token: DhToken, peer: Peer): Buffer | undefined {
    const [mine, theirs] = DH_KEYS[token][this.#options.role];
    const remote = theirs === 'e' ? peer.re : peer.rs;
    return remote === undefined ? undefined : x25519(mine === 'e' ? this.#e : this.#s, remote);
  }
}
