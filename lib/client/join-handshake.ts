/**
 * The join handshake's timers and cookie (docs/protocol.md §5.1, §6.2.2–§6.2.3): JOIN retries that
 * back off from 250 ms to 1 s (500 ms once the server answered with a COOKIE), the give-up bound
 * of a first join (restarted by every COOKIE), and the handshake's round-trip sample (Karn: none
 * once the JOIN was retried).
 */
import { CAP_IDENTITY } from '../protocol/whois-codec.js';
import { CAP_HISTORY } from '../protocol/history-codec.js';
import { CAP_ROOMS } from '../protocol/rooms-codec.js';
import { COOKIE_BYTES, INSTANCE_BYTES } from '../protocol/constants.js';
import type { JoinMessage, WelcomeMessage } from '../protocol/messages.js';
import type { ClientEvent } from './session-types.js';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 1_000;
/** Once the server has answered (COOKIE), retries come faster: it is there, only loss is in the way. */
const RETRY_MAX_ANSWERED_MS = 500;
const ZERO_COOKIE = Buffer.alloc(COOKIE_BYTES);
const ZERO_INSTANCE = Buffer.alloc(INSTANCE_BYTES);

/** Who is joining, and what it can resume (§6.2.7). */
export interface JoinIdentity {
  clientId: Buffer;
  nick: string;
  /** The server instance last joined, and the last seq delivered there. */
  resume: { instance: Buffer; seq: number } | undefined;
}

export class JoinHandshake {
  /** The cookie to send: all zero until a COOKIE came. */
  cookie: Buffer = ZERO_COOKIE;
  /** The server answered this handshake (a COOKIE came). */
  answered = false;
  /** Start of the give-up bound; a COOKIE restarts it. */
  private startedAt = 0;
  private retryAt = Infinity;
  private backoff = RETRY_MIN_MS;
  /** When the only JOIN of this step went out (undefined once retried). */
  private sentAt: number | undefined;

  constructor(readonly timeoutMs: number) {}

  /** A new handshake: no cookie yet, the give-up bound starts now. */
  begin(now: number): void {
    this.cookie = ZERO_COOKIE;
    this.answered = false;
    this.startedAt = now;
    this.backoff = RETRY_MIN_MS;
  }

  /** A COOKIE came: use it, retry fast again, and start the give-up bound again. */
  onCookie(cookie: Buffer, now: number): void {
    this.cookie = cookie;
    this.answered = true;
    this.startedAt = now;
    this.backoff = RETRY_MIN_MS;
  }

  /** Records a JOIN sent now. `bounded`: a first join, whose retries stop at the give-up bound. */
  sent(now: number, bounded: boolean): void {
    // The first JOIN of a step (retries back off from the minimum) can time the round trip.
    this.sentAt = this.backoff === RETRY_MIN_MS ? now : undefined;
    this.retryAt = now + this.backoff;
    // The first join reports failure on time, not at the next retry after the bound.
    if (bounded) this.retryAt = Math.min(this.retryAt, this.deadline);
    this.backoff = Math.min(this.backoff * 2, this.answered ? RETRY_MAX_ANSWERED_MS : RETRY_MAX_MS);
  }

  /** The JOIN to send now (the caller then calls {@link sent}). */
  joinMessage(who: JoinIdentity): JoinMessage {
    return {
      type: 'join',
      cookie: this.cookie,
      clientId: who.clientId,
      resumeInstance: who.resume?.instance ?? ZERO_INSTANCE,
      resumeSeq: who.resume?.seq ?? 0,
      caps: CAP_IDENTITY | CAP_HISTORY | CAP_ROOMS,
      nick: who.nick,
    };
  }

  /** The event for a first join that ran out of time. */
  timedOut(): Extract<ClientEvent, { type: 'join-failed' }> {
    const code = 'UDPCHAT_ERR_SERVER_UNREACHABLE';
    return this.answered
      ? { type: 'join-failed', code, reason: 'the server answered, but the join did not complete (heavy packet loss?)', answered: true }
      : { type: 'join-failed', code, reason: 'no answer from the server' };
  }

  /** The round trip of the JOIN the server just answered, unless it was retried. */
  rttSample(now: number): number | undefined {
    return this.sentAt === undefined ? undefined : now - this.sentAt;
  }

  /** When a first join gives up. */
  get deadline(): number {
    return this.startedAt + this.timeoutMs;
  }

  /** When the next JOIN is due (Infinity when stopped). */
  get nextAt(): number {
    return this.retryAt;
  }

  due(now: number): boolean {
    return now >= this.retryAt;
  }

  expired(now: number): boolean {
    return now >= this.deadline;
  }

  stop(): void {
    this.retryAt = Infinity;
  }
}

/**
 * What is wrong with a WELCOME's announced values, or undefined when they are usable
 * (docs/protocol.md §6.2.2): the server is untrusted input too, and a client must neither crash
 * nor spin on what it says.
 */
export function unusableWelcome(m: WelcomeMessage): string | undefined {
  if (m.heartbeatMs < 100 || m.heartbeatMs > 60_000) return `an unusable heartbeat of ${m.heartbeatMs} ms (100–60000 allowed)`;
  if (m.idleTimeoutMs < 1_000 || m.idleTimeoutMs > 3_600_000 || m.idleTimeoutMs <= m.heartbeatMs) {
    return `an unusable idle timeout of ${m.idleTimeoutMs} ms (1000–3600000, above the heartbeat, allowed)`;
  }
  if (m.maxText < 64) return `an unusable text limit of ${m.maxText} bytes (at least 64 allowed)`;
  return undefined;
}
