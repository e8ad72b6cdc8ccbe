/**
 * Heartbeats and silence (docs/protocol.md §6.2.6): a PING right after the WELCOME (it confirms the
 * session), then one after heartbeatMs in which the client sent nothing while online (and one
 * activityPingMs after the last delivered entries, every second while nothing is heard), round-trip
 * samples from PONG echoes, "stalled" after 2 × heartbeatMs + 1 s of silence (shown as reconnecting), and the
 * session presumed dead after idleTimeoutMs. A tick far later than any timer asked for means this
 * process was not running (stopped, or the machine slept): silence is then not judged for a grace
 * period, as what the server sent meanwhile may be waiting unread in the socket.
 */
import { DEFAULTS } from '../protocol/constants.js';
import type { RttEstimator } from './rtt-estimator.js';

const STALLED_PING_MS = 1_000;
/** Ticks come at least every heartbeatMs while online: a gap this much longer was a suspension. */
const SUSPENDED_SLACK_MS = 1_000;
/** After a suspension, how long silence is not judged (a PING is sent at once). */
export const WAKE_GRACE_MS = 2_000;
/** PING echoes remembered for RTT samples. */
const ECHOES = 8;

export class Liveness {
  heartbeatMs: number = DEFAULTS.heartbeatMs;
  idleTimeoutMs: number = DEFAULTS.idleTimeoutMs;
  lastHeard = 0;
  private pingAt = Infinity;
  /** The activity PING: activityPingMs after the last delivery of entries (Infinity: none due). */
  private activityAt = Infinity;
  /** When the client last sent the server anything in this session. */
  private sentAt = -Infinity;
  private lastTick = 0;
  private graceUntil = -Infinity;
  private readonly echoes = new Map<number, number>();

  /** Online from now, with the server's announced timers. */
  start(now: number, heartbeatMs: number, idleTimeoutMs: number): void {
    this.heartbeatMs = heartbeatMs;
    this.idleTimeoutMs = idleTimeoutMs;
    this.lastHeard = now;
    this.lastTick = now;
    this.graceUntil = -Infinity;
    // A PING at once: the server ends a session that sent nothing with its token within 10 s of the
    // WELCOME (§6.1.7), and a client that only receives sends nothing else for heartbeatMs.
    this.pingAt = now;
    this.activityAt = Infinity;
    this.sentAt = -Infinity;
  }

  /**
   * Called first on every tick while online. A tick more than heartbeatMs + 1 s after the last one
   * (a PING is due every heartbeatMs, so the timer never waits longer) means this process was
   * suspended — SIGSTOP, a sleeping machine — and the clock jumped: the server's datagrams of that
   * time, or its answers, are unread in the socket, which is read only after the timers run. So
   * silence is not judged until WAKE_GRACE_MS from now, and a PING is due at once.
   */
  woke(now: number): void {
    if (now - this.lastTick > this.heartbeatMs + SUSPENDED_SLACK_MS) {
      this.graceUntil = now + WAKE_GRACE_MS;
      this.pingAt = now;
    }
    this.lastTick = now;
  }

  stop(): void {
    this.pingAt = Infinity;
    this.activityAt = Infinity;
  }

  heard(now: number): void {
    this.lastHeard = now;
  }

  /** The client sent the server something (it refreshes the server's view of this session as a PING would). */
  sent(now: number): void {
    this.sentAt = now;
  }

  /**
   * Entries were delivered now: a PING is due activityPingMs later (was there more after them, in
   * case the last DATA and the tail SYNCs were all lost?). Each delivery moves it later: while
   * entries keep coming they answer that themselves (a gap shows in the next DATA).
   */
  delivered(now: number): void {
    this.activityAt = now + DEFAULTS.activityPingMs;
  }

  /** Silence long enough to show "reconnecting". */
  stalled(now: number): boolean {
    return now >= this.graceUntil && now - this.lastHeard > this.stallMs;
  }

  /** Silence past the idle timeout: the session is presumed dead. */
  dead(now: number): boolean {
    return now >= this.graceUntil && now - this.lastHeard > this.idleTimeoutMs;
  }

  /** The echo value of a PING due now (and schedules the next one), or undefined. */
  pingDue(now: number): number | undefined {
    if (now < this.pingAt && now < this.activityAt) return undefined;
    const unsure = this.stalled(now) || now < this.graceUntil;
    // Only the heartbeat is due, and what the client sent within heartbeatMs already told the server
    // it is there (and brings ACKs back): due again heartbeatMs after that.
    if (!unsure && now < this.activityAt && now - this.sentAt < this.heartbeatMs) {
      this.pingAt = this.sentAt + this.heartbeatMs;
      return undefined;
    }
    const echo = Math.floor(now) % 2 ** 32;
    this.echoes.set(echo, now);
    if (this.echoes.size > ECHOES) this.echoes.delete(this.echoes.keys().next().value as number);
    // Every second while silent, or unsure after a suspension.
    this.pingAt = now + (unsure ? STALLED_PING_MS : this.heartbeatMs);
    this.activityAt = Infinity;
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
    let t = Math.min(this.pingAt, this.activityAt, Math.max(this.lastHeard + this.idleTimeoutMs + 1, this.graceUntil));
    // Wake up when the silence turns into "reconnecting", so the front end is told.
    const stallAt = Math.max(this.lastHeard + this.stallMs + 1, this.graceUntil);
    if (stallAt > clock) t = Math.min(t, stallAt);
    return t;
  }

  private get stallMs(): number {
    return 2 * this.heartbeatMs + 1_000;
  }
}
