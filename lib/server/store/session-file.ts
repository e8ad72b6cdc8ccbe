/**
 * `sessions.json` (0600, it holds session tokens): the sessions online, so that after a restart —
 * a crash or a graceful stop — clients that come back within the idle timeout continue their
 * sessions without leave or join entries. Rewritten atomically whenever the set changes (and
 * now and then to refresh lastHeard); writes are coalesced: one at a time, the newest state wins.
 */
import { CLIENT_ID_BYTES, TOKEN_BYTES } from '../../protocol/constants.js';
import type { Disk } from './disk.js';

export const SESSIONS_FILE = 'sessions.json';
const FORMAT = 1;

/** What a session needs to go on after a restart; its counters come back from the log. */
export interface PersistedSession {
  address: string;
  port: number;
  token: Buffer;
  clientId: Buffer;
  nick: string;
  joinedAt: number;
  lastHeard: number;
  historyFrom: number;
  baseSeq: number;
  /** The capabilities its WELCOME enabled (§4.5); 0 in a file written before they were kept. */
  caps: number;
}

export function encodeSessions(sessions: readonly PersistedSession[], savedAt: number): Buffer {
  const list = sessions.map((s) => ({ ...s, token: s.token.toString('hex'), clientId: s.clientId.toString('hex') }));
  return Buffer.from(`${JSON.stringify({ format: FORMAT, savedAt, sessions: list })}\n`);
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isHex = (v: unknown, bytes: number): v is string => typeof v === 'string' && v.length === 2 * bytes && /^[0-9a-f]*$/.test(v);

function decodeOne(o: Record<string, unknown>): PersistedSession | undefined {
  const { address, port, token, clientId, nick, joinedAt, lastHeard, historyFrom, baseSeq, caps = 0 } = o;
  if (typeof address !== 'string' || typeof nick !== 'string' || !isInt(port) || port === 0 || port > 65535) return undefined;
  if (!isHex(token, TOKEN_BYTES) || !isHex(clientId, CLIENT_ID_BYTES)) return undefined;
  if (!isInt(joinedAt) || !isInt(lastHeard) || !isInt(historyFrom) || !isInt(baseSeq) || !isInt(caps) || caps > 0xffff) return undefined;
  return { address, port, token: Buffer.from(token, 'hex'), clientId: Buffer.from(clientId, 'hex'), nick, joinedAt, lastHeard, historyFrom, baseSeq, caps };
}

/** Parses sessions.json; throws a one-line Error if it is not a valid one. */
export function decodeSessions(raw: Buffer): { savedAt: number; sessions: PersistedSession[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Error(`${SESSIONS_FILE}: not JSON`);
  }
  const o = parsed as { format?: unknown; savedAt?: unknown; sessions?: unknown } | null;
  if (typeof o !== 'object' || o === null || o.format !== FORMAT || !isInt(o.savedAt) || !Array.isArray(o.sessions)) {
    throw new Error(`${SESSIONS_FILE}: not a format ${FORMAT} sessions file`);
  }
  const sessions: PersistedSession[] = [];
  for (const [i, s] of (o.sessions as unknown[]).entries()) {
    const one = typeof s === 'object' && s !== null ? decodeOne(s as Record<string, unknown>) : undefined;
    if (one === undefined) throw new Error(`${SESSIONS_FILE}: session ${i} is not valid`);
    sessions.push(one);
  }
  return { savedAt: o.savedAt, sessions };
}

/** Reads sessions.json; undefined if there is none. Throws as decodeSessions. */
export async function readSessions(disk: Disk): Promise<{ savedAt: number; sessions: PersistedSession[] } | undefined> {
  const raw = await disk.readFile(SESSIONS_FILE);
  return raw === undefined ? undefined : decodeSessions(raw);
}

/** Coalescing writer of sessions.json: the state is taken (and encoded) only when a write starts. */
export class SessionSaver {
  private writing: Promise<void> | undefined;
  private pending: (() => { sessions: readonly PersistedSession[]; now: number }) | undefined;
  /** The last write error (undefined once a write succeeds). */
  lastError: Error | undefined;

  constructor(private readonly disk: Disk) {}

  /**
   * Schedules a write of the state `current()` returns when the write starts (many requests while
   * one write runs cost one more write). Resolves when a write that began after this call is done.
   */
  save(current: () => { sessions: readonly PersistedSession[]; now: number }): Promise<void> {
    this.pending = current;
    this.writing ??= this.loop();
    return this.writing;
  }

  private async loop(): Promise<void> {
    try {
      for (let next = this.pending; next !== undefined; next = this.pending) {
        this.pending = undefined;
        const { sessions, now } = next();
        try {
          await this.disk.writeAtomic(SESSIONS_FILE, encodeSessions(sessions, now));
          this.lastError = undefined;
        } catch (err) {
          this.lastError = err as Error;
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
