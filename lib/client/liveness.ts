/**
 * Heartbeats and silence (docs/protocol.md §6.2.6): PINGs every heartbeatMs while online (sooner
 * after delivering entries, every second while nothing is heard), round-trip samples from PONG
 * echoes, "stalled" after 2 × heartbeatMs + 1 s of silence (shown as reconnecting), and the
 * session presumed dead after idleTimeoutMs.
 */
import { DEFAULTS } from '../protocol/constants.js';
import type { RttEstimator } from './rtt-estimator.js';

const STALLED_PING_MS = 1_000;
/** PING echoes remembered for RTT samples. */
const ECHOES = 8;

export class Liveness {
  heartbeatMs: number = DEFAULTS.heartbeatMs;
  idleTimeoutMs: number = DEFAULTS.idleTimeoutMs;
  lastHeard = 0;
  private pingAt = Infinity;
  private readonly echoes = new Map<number, number>();

  /** Online from now, with the server's announced timers. */
  start(now: number, heartbeatMs: number, idleTimeoutMs: number): void {
    this.heartbeatMs = heartbeatMs;
    this.idleTimeoutMs = idleTimeoutMs;
    this.lastHeard = now;
    this.pingAt = now + heartbeatMs;
  }

  stop(): void {
    this.pingAt = Infinity;
  }

  heard(now: number): void {
    this.lastHeard = now;
  }

  /** Asks for a PING by `at` at the latest (after delivering entries: was there more?). */
  pingBy(at: number): void {
    this.pingAt = Math.min(this.pingAt, at);
  }

  /** Silence long enough to show "reconnecting". */
  stalled(now: number): boolean {
    return now - this.lastHeard > this.stallMs;
  }

  /** Silence past the idle timeout: the session is presumed dead. */
  dead(now: number): boolean {
    return now - this.lastHeard > this.idleTimeoutMs;
  }

  /** The echo value of a PING due now (and schedules the next one), or undefined. */
  pingDue(now: number): number | undefined {
    if (now < this.pingAt) return undefined;
    const echo = Math.floor(now) % 2 ** 32;
    this.echoes.set(echo, now);
    if (this.echoes.size > ECHOES) this.echoes.delete(this.echoes.keys().next().value as number);
    this.pingAt = now + (this.stalled(now) ? STALLED_PING_MS : this.heartbeatMs);
    return echo;
  }

  /** A PONG: samples the round trip of the PING it echoes, if that PING is remembered (true then). */
  onPong(echo: number, now: number, rtt: RttEstimator): boolean {
    this.heard(now);
    const sentAt = this.echoes.get(echo);
    if (sentAt === undefined) return false;
    this.echoes.delete(echo);
    rtt.sample(now - sentAt);
    return true;
  }

  /** The earliest time a PING, the stall notice or the idle timeout is due. */
  nextDeadline(clock: number): number {
    let t = Math.min(this.pingAt, this.lastHeard + this.idleTimeoutMs + 1);
    // Wake up when the silence turns into "reconnecting", so the front end is told.
    const stallAt = this.lastHeard + this.stallMs + 1;
    if (stallAt > clock) t = Math.min(t, stallAt);
    return t;
  }

  private get stallMs(): number {
    return 2 * this.heartbeatMs + 1_000;
  }
}
