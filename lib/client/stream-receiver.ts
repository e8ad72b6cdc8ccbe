/**
 * The receiving half every stream shares (docs/protocol.md §6.2.5; per stream, §6.3.4): entries
 * into a RoomStream and out in seq order, and when to NACK its holes. Room 0's RoomFeed and each
 * other stream's StreamChannel extend it: they say what a delivered entry means (`emitEntry`) and
 * how the holes are asked for (NACK or RNACK).
 *
 * Invariant: every entry is released exactly once, in seq order; a hole is NACKed 30 ms after it is
 * first seen (one delay per gap episode), then every RTO, sooner while repair makes progress.
 */
import { DEFAULTS } from '../protocol/constants.js';
import type { RoomEntry } from '../protocol/messages.js';
import type { Liveness } from './liveness.js';
import { RoomStream } from './room-stream.js';
import type { RttEstimator } from './rtt-estimator.js';

export abstract class StreamReceiver {
  readonly room = new RoomStream();
  private nackAt: number | undefined;
  private lastNackAt = -Infinity;

  constructor(
    protected readonly rtt: RttEstimator,
    private readonly liveness: Liveness,
  ) {}

  /** The session is gone: no repair until it is back. */
  offline(): void {
    this.nackAt = undefined;
  }

  /** What a delivered entry means: an event for the front end, a member list change. */
  protected abstract emitEntry(e: RoomEntry): void;

  /** The missing ranges to NACK now (none unless a round is due); the next round is one RTO later. */
  protected dueHoles(now: number): Array<[number, number]> {
    if (this.nackAt === undefined || now < this.nackAt) return [];
    this.nackAt = now + this.rtt.rto;
    this.lastNackAt = now;
    return this.room.holes();
  }

  /** When the next NACK round is due (Infinity: no gap). */
  protected get nackDeadline(): number {
    return this.nackAt ?? Infinity;
  }

  /** Releases in-order entries as events and schedules NACKs for holes. */
  protected deliver(now: number): void {
    const released = this.room.release();
    for (const e of released) this.emitEntry(e);
    // Ask, once the entries stop, whether more followed (in case the last DATA and the tail SYNCs were all lost).
    if (released.length > 0) this.liveness.delivered(now);
    if (!this.room.hasGap) this.nackAt = undefined;
    else {
      this.nackAt ??= now + DEFAULTS.nackDelayMs;
      // Repair is moving (a long way behind, e.g. after a stall): ask for the next stretch one
      // round trip after the last NACK rather than a whole RTO later.
      if (released.length > 0) this.nackAt = Math.min(this.nackAt, Math.max(now, this.lastNackAt + (this.rtt.srtt ?? this.rtt.rto)));
    }
  }
}
