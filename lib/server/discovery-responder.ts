/**
 * Answers DISCOVER with OFFER (docs/protocol.md §4.2.16–17, §5.5, §5.7). Sans-I/O: the server shell
 * hands it each DISCOVER with the time and the users online, and sends what it returns. It keeps
 * nothing per requester: one token bucket over all sources bounds the replies.
 */
import { decode, encode } from '../protocol/codec.js';
import { VERSION } from '../protocol/constants.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { PeerAddress } from './peer-address.js';
import { TokenBucket } from './token-bucket.js';

/** What an OFFER says about this server. */
export interface OfferInfo {
  /** 1–63 bytes of UTF-8 (checked when the first OFFER is encoded). */
  name: string;
  /** The port the server listens on. */
  port: number;
  /** A passphrase is needed to join (sealed sessions); false until those exist. */
  passphrase: boolean;
}

/** Most OFFERs per second over all sources, and the burst (§5.5). */
export const OFFER_RATE = 20;
export const OFFER_BURST = 20;

export class DiscoveryResponder {
  /** OFFERs sent. */
  answered = 0;
  /** DISCOVERs not answered, by reason (a ProtocolError code, `port-zero`, `rate-limited`, `not-discover`, `too-large`). */
  readonly drops: Record<string, number> = {};
  private readonly bucket: TokenBucket;

  constructor(
    private readonly info: OfferInfo,
    now: number,
    rate = OFFER_RATE,
    burst = OFFER_BURST,
  ) {
    this.bucket = new TokenBucket(rate, burst, now);
  }

  /** The OFFER to send to `from`, or undefined (a counted drop). Never throws for what a peer sent. */
  answer(data: Buffer, from: PeerAddress, now: number, users: number): Buffer | undefined {
    // Port 0 first: Node's send() throws for it, and it is never a real requester (§5.5).
    if (from.port === 0) return this.drop('port-zero');
    let nonce: Buffer;
    try {
      const m = decode(data);
      if (m.type !== 'discover') return this.drop('not-discover');
      nonce = m.nonce;
    } catch (err) {
      if (err instanceof ProtocolError) return this.drop(err.code);
      throw err;
    }
    // Decoded first, so that garbage cannot spend the tokens that real requests need.
    if (!this.bucket.take(now)) return this.drop('rate-limited');
    const offer = encode({
      type: 'offer',
      nonce,
      protocol: VERSION,
      port: this.info.port,
      users: Math.min(users, 0xffff_ffff),
      passphrase: this.info.passphrase,
      name: this.info.name,
    });
    // The amplification rule, checked rather than assumed (§5.5).
    if (offer.length > data.length) return this.drop('too-large');
    this.answered++;
    return offer;
  }

  private drop(reason: string): undefined {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
    return undefined;
  }
}
