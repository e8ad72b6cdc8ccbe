/**
 * What a member may draw from the server besides the fan-out (docs/protocol.md §6.1.6, §9): gap
 * repair (NACK answers) and member-list pages count against a byte budget that grows by the bytes
 * the room actually produced (a client cannot need more than it missed), plus a fixed allowance.
 * So over any period the repair and roster bytes sent to a member are at most the bytes fanned out
 * in that period plus {@link REPAIR_ALLOWANCE_BYTES}: a member can make the server send it no more
 * than about once again what the room sent everyone.
 *
 * Credit is settled lazily against one room-wide counter, so a fan-out costs nothing per member.
 */

/** Bytes every session may draw beyond what the room produced (re-asks, roster pages, history). */
export const REPAIR_ALLOWANCE_BYTES = 64 * 1024;
/**
 * Most credit a session can save up: enough for a client stopped for a minute in a busy room
 * (2,000 messages/s of 900 bytes is 108 MB a minute) to repair everything it missed.
 */
const REPAIR_CAP_BYTES = 128 * 1024 * 1024;
/**
 * A session is cut off as a flooder only when it has kept asking with an empty budget for this
 * many requests in a row and for this long: a client catching up after a stop asks faster than the
 * room refills its credit for a while, which is legitimate (its requests are just answered later).
 */
export const OVERDRAWN_LIMIT = 200;
export const OVERDRAWN_MS = 30_000;

/** The room-wide count of bytes fanned out, which every session's budget is credited from. */
export class ProducedBytes {
  total = 0;
}

export class RepairBudget {
  private available = REPAIR_ALLOWANCE_BYTES;
  private settledAt: number;
  /** Requests in a row that found the budget empty, and when the first of them came. */
  overdrawn = 0;
  private overdrawnSince = 0;

  constructor(private readonly produced: ProducedBytes) {
    this.settledAt = produced.total;
  }

  /** Bytes that may be sent now. */
  get bytes(): number {
    this.available = Math.min(REPAIR_CAP_BYTES, this.available + this.produced.total - this.settledAt);
    this.settledAt = this.produced.total;
    return this.available;
  }

  /** Adds credit (the replay a newcomer is owed). */
  credit(bytes: number): void {
    this.available = Math.min(REPAIR_CAP_BYTES, this.available + bytes);
  }

  /** Charges bytes sent in answer to a request (which clears the overdrawn count). */
  spend(bytes: number): void {
    this.available = this.bytes - bytes;
    this.overdrawn = 0;
  }

  /** A request found the budget empty; true when that has gone on too often and too long in a row. */
  refuse(now: number): boolean {
    if (this.overdrawn++ === 0) this.overdrawnSince = now;
    return this.overdrawn > OVERDRAWN_LIMIT && now - this.overdrawnSince >= OVERDRAWN_MS;
  }
}
