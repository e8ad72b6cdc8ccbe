/**
 * `nicks.json` in the server's store directory (0600): the nick bindings of docs/protocol.md §5.3
 * "Ownership" — which user key owns which nick, and when it was last used. Rewritten atomically
 * (temp file, fsync, rename, fsync dir) whenever a binding is made, refreshed or released; writes
 * are coalesced, the newest state wins. Unlike sessions.json a damaged file is not skipped: starting
 * without it would hand every nick to whoever asks first, so the server refuses to start with one
 * line naming the file (--repair sets it aside as nicks.json.damaged and starts with no bindings).
 */
import { checkNick } from '../../protocol/nick.js';
import type { NickBinding } from '../../protocol/seal/nick-bindings.js';
import type { Disk } from './disk.js';

export const NICKS_FILE = 'nicks.json';
const FORMAT = 1;
const KEY_BYTES = 32;

/** A nicks.json that cannot be read as one; the message names the file and what is wrong. */
export class NickFileError extends Error {
  constructor(message: string) {
    super(`${NICKS_FILE}: ${message}`);
    this.name = 'NickFileError';
  }
}

export function encodeNicks(bindings: readonly NickBinding[], savedAt: number): Buffer {
  const list = bindings.map((b) => ({ nick: b.nick, owner: b.owner.toString('hex'), lastUsed: b.lastUsedMs }));
  return Buffer.from(`${JSON.stringify({ format: FORMAT, savedAt, bindings: list }, null, 1)}\n`);
}

/**
 * Parses nicks.json; throws {@link NickFileError} if it is not a valid one. The nick key is
 * computed again from the nick (a newer Unicode table may key it differently).
 */
export function decodeNicks(raw: Buffer): NickBinding[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new NickFileError('not JSON');
  }
  const o = parsed as { format?: unknown; bindings?: unknown } | null;
  if (typeof o !== 'object' || o === null || o.format !== FORMAT || !Array.isArray(o.bindings)) {
    throw new NickFileError(`not a format ${FORMAT} nick bindings file`);
  }
  const out: NickBinding[] = [];
  for (const [i, b] of (o.bindings as unknown[]).entries()) {
    const { nick, owner, lastUsed } = (typeof b === 'object' && b !== null ? b : {}) as Record<string, unknown>;
    const checked = typeof nick === 'string' ? checkNick(nick) : undefined;
    const ownerOk = typeof owner === 'string' && owner.length === 2 * KEY_BYTES && /^[0-9a-f]*$/.test(owner);
    if (checked?.ok !== true || !ownerOk || !Number.isSafeInteger(lastUsed) || (lastUsed as number) < 0) {
      throw new NickFileError(`binding ${i} is not valid (nick, owner as 64 hex digits, lastUsed ms)`);
    }
    out.push({ nick: checked.nick, nickKey: checked.key, owner: Buffer.from(owner, 'hex'), lastUsedMs: lastUsed as number });
  }
  return out;
}

/** Reads nicks.json: no file is no bindings. Throws NickFileError for a damaged one, I/O errors as they come. */
export async function readNicks(disk: Disk): Promise<NickBinding[]> {
  const raw = await disk.readFile(NICKS_FILE);
  return raw === undefined ? [] : decodeNicks(raw);
}

/**
 * Reads nicks.json when a store opens. A damaged file throws NickFileError, unless `repair`: then it
 * is set aside as nicks.json.damaged, a note says so, and the server starts with no bindings.
 */
export async function openNicks(disk: Disk, repair: boolean, notes: string[]): Promise<NickBinding[]> {
  try {
    return await readNicks(disk);
  } catch (err) {
    if (!(err instanceof NickFileError) || !repair) throw err;
    const raw = await disk.readFile(NICKS_FILE);
    if (raw !== undefined) await disk.writeAtomic(`${NICKS_FILE}.damaged`, raw);
    await disk.remove(NICKS_FILE);
    notes.push(`${err.message}; set aside as ${NICKS_FILE}.damaged: every nick is unbound until its owner joins again`);
    return [];
  }
}

/**
 * Saves the bindings when they changed: `save(changes, entries)` after each batch; writes are
 * coalesced (one at a time, the newest state wins), errors go to `warn` and the next change retries.
 */
export class NickSaver {
  private saved = 0;
  private writing: Promise<void> | undefined;
  private pending: { changes: number; entries: () => readonly NickBinding[] } | undefined;

  constructor(
    private readonly disk: Disk,
    private readonly warn: (err: Error) => void,
    initialChanges = 0,
  ) {
    this.saved = initialChanges;
  }

  /** Schedules a write if `changes` moved since the last one saved. */
  save(changes: number, entries: () => readonly NickBinding[]): void {
    if (changes === this.saved && this.pending === undefined) return;
    this.pending = { changes, entries };
    this.writing ??= this.loop();
  }

  private async loop(): Promise<void> {
    try {
      for (let next = this.pending; next !== undefined; next = this.pending) {
        this.pending = undefined;
        try {
          await this.disk.writeAtomic(NICKS_FILE, encodeNicks(next.entries(), Date.now()));
          this.saved = next.changes;
        } catch (err) {
          const e = new Error(`store: cannot save ${NICKS_FILE}: ${(err as Error).message}`);
          e.name = 'StoreNickError';
          this.warn(e);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** Resolves when no write is running. */
  async idle(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }
}
