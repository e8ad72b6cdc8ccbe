/**
 * Drives the store for the server shell (docs/storage.md): group commit — while one write + flush
 * runs, new records gather for the next, whose write starts as soon as the last returns and
 * before that one is reported — reporting each durable batch; sessions.json rewritten
 * when the session set changes and every few seconds; and, when the disk fails (full, I/O error),
 * one report, a retry every second, and one report when writing works again. Records that could
 * not be written stay queued: nothing waiting for them is acknowledged, nothing is lost.
 */
import type { StoreRecord } from './record-codec.js';
import type { StoreHandle } from './open-store.js';
import { type PersistedSession, SessionSaver } from './session-file.js';

export interface PersisterHooks {
  /** The first `count` records are durable. */
  durable(count: number): void;
  /** The sessions to save now. */
  sessions(): PersistedSession[];
  /** Writing failed (first failure of an outage) or works again. */
  storage(e: { ok: false; error: Error } | { ok: true; after: number }): void;
  /** Something that does not stop the log: old segments could not be deleted. */
  warning(e: Error): void;
}

const RETRY_MS = 1_000;
const SESSIONS_REFRESH_MS = 5_000;

export class Persister {
  private committing: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failingSince: number | undefined;
  private readonly saver: SessionSaver;
  private readonly refresh: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly handle: StoreHandle,
    private readonly hooks: PersisterHooks,
    private readonly retryMs = RETRY_MS,
  ) {
    this.saver = new SessionSaver(handle.disk);
    // lastHeard goes stale in the file otherwise; a restart judges idleness by it.
    this.refresh = setInterval(() => this.sessionsChanged(), SESSIONS_REFRESH_MS);
    this.refresh.unref();
  }

  /** Whether writes are failing right now. */
  get failing(): boolean {
    return this.failingSince !== undefined;
  }

  /** Queues records and starts a commit unless one is running (group commit). */
  add(records: readonly StoreRecord[]): void {
    this.handle.log.add(records);
    this.commitSoon();
  }

  private commitSoon(): void {
    if (this.closed || this.committing !== undefined || this.retry !== undefined || this.handle.log.queued === 0) return;
    const run: Promise<void> = this.commitOnce().then(() => {
      // commitOnce clears `committing` itself once its batch is durable; this covers a failure.
      if (this.committing === run) this.committing = undefined;
      this.commitSoon();
    });
    this.committing = run;
  }

  private async commitOnce(): Promise<void> {
    try {
      await this.handle.log.commit(Date.now());
    } catch (err) {
      if (this.failingSince === undefined) {
        this.failingSince = Date.now();
        this.hooks.storage({ ok: false, error: err as Error });
      }
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.commitSoon();
      }, this.retryMs);
      return;
    }
    if (this.failingSince !== undefined) {
      this.hooks.storage({ ok: true, after: Date.now() - this.failingSince });
      this.failingSince = undefined;
    }
    const count = this.handle.log.committed;
    // What gathered during this write goes to the disk now, before this batch is fanned out (its
    // sends take a while at large K): the next write is submitted synchronously (disk.ts), so its
    // records wait for one commit, not for one commit and the fan-out of the last. Writes stay one
    // at a time, in order; nothing is released before its own write returned.
    this.committing = undefined;
    this.commitSoon();
    this.hooks.durable(count);
    const retention = this.handle.log.takeRetentionError();
    if (retention !== undefined) {
      const e = new Error(`store: cannot delete an old segment (--keep/--keep-days): ${retention.message}`);
      e.name = 'StoreRetentionError';
      this.hooks.warning(e);
    }
  }

  /** Schedules a rewrite of sessions.json with the current sessions. */
  sessionsChanged(): void {
    if (!this.closed) void this.saver.save(() => ({ sessions: this.hooks.sessions(), now: Date.now() }));
  }

  /**
   * For a graceful stop: waits for the running commit, tries once more to write what is queued,
   * and saves the sessions. Then stops (nothing more is written).
   */
  async drain(): Promise<void> {
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.retry = undefined;
    await this.commitsDone();
    if (this.handle.log.queued > 0) await this.commitOnce();
    // That commit may have started one more (records added when its batch was reported).
    await this.commitsDone();
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.retry = undefined;
    await this.saver.save(() => ({ sessions: this.hooks.sessions(), now: Date.now() }));
    await this.saver.idle();
    this.closed = true;
    clearInterval(this.refresh);
  }

  /** Resolves when no commit is running (each one may start the next). */
  private async commitsDone(): Promise<void> {
    while (this.committing !== undefined) await this.committing;
  }

  /** Stops timers without writing (the shell is going away without a graceful stop). */
  stop(): void {
    this.closed = true;
    clearInterval(this.refresh);
    if (this.retry !== undefined) clearTimeout(this.retry);
  }
}
