/**
 * The registry of joined peers (docs/protocol.md §5.2, §6.1.1): by source address, by nickname keys,
 * per-IP counts, used cookies, and what ended sessions had acknowledged (for resumes).
 */
import type { CmdMessage, RSayMessage, SayMessage } from '../protocol/messages.js';
import type { NickKeys } from '../protocol/nick.js';

/** What a session's cseq numbers: SAY, and with rooms RSAY and CMD (§6.3.1). */
export type Numbered = SayMessage | RSayMessage | CmdMessage;
import type { PeerAddress } from './peer-address.js';
import type { RepairBudget } from './repair-budget.js';
import type { TokenBucket } from './token-bucket.js';

export interface Session {
  readonly key: string;
  readonly address: PeerAddress;
  readonly token: Buffer;
  readonly clientIdHex: string;
  /** Changed by a rename (§6.3.6): SessionTable.rename keeps the index right. */
  nick: string;
  nickKey: string;
  /** The nick's second key (nickCaseKey, §5.3): a name is held when either key is. */
  nickCaseKey: string;
  /**
   * The user's static public key from a sealed handshake (nick ownership); undefined for cleartext,
   * and for a session restored from the store until its client's first sealed JOIN adopts it.
   */
  ownerKey?: Buffer | undefined;
  /** Restored from the store after a restart (its owner key, never stored, is not known yet). */
  readonly restored?: true;
  /** Next client sequence number to accept. */
  nextCseq: number;
  /** Messages received ahead of nextCseq or held by the flood limit. */
  readonly inbox: Map<number, Numbered>;
  readonly flood: TokenBucket;
  readonly hard: TokenBucket;
  /** What it may draw in repair and roster pages (repair-budget.ts). */
  readonly repair: RepairBudget;
  /** Bytes of history PAGEs it may draw beyond the repair budget (history-pages.ts, §6.1.11). */
  readonly paging: TokenBucket;
  /** The capabilities its WELCOME enabled (§4.5); kept across a restart. */
  readonly caps: number;
  lastHeard: number;
  /** Set by the first datagram that carries the token: the client got its WELCOME. */
  confirmed: boolean;
  readonly joinedAt: number;
  /** The cookie that created it (hex). */
  readonly cookieHex: string;
  readonly historyFrom: number;
  readonly baseSeq: number;
}

const RESUME_ENTRIES = 4_096;
const USED_COOKIES_MAX = 65_536;

export class SessionTable {
  private readonly byAddr = new Map<string, Session>();
  /**
   * The same sessions by port, then address: what every received datagram is looked up by, without
   * building (and hashing) an address-key string per datagram.
   */
  private readonly byPort = new Map<number, Session[]>();
  private readonly byNick = new Map<string, Session>();
  /** The same sessions by nickCaseKey. No two sessions online share either key. */
  private readonly byNickCase = new Map<string, Session>();
  private readonly perIp = new Map<string, number>();
  private readonly usedCookies = new Map<string, number>();
  /** clientId (hex) → last accepted cseq of its ended session, oldest first. */
  private readonly resume = new Map<string, number>();
  private addressCache: PeerAddress[] | undefined;
  private nickCache: string[] | undefined;

  constructor(private readonly sessionsPerIp: number) {}

  get size(): number {
    return this.byAddr.size;
  }

  byAddress(a: PeerAddress): Session | undefined {
    const list = this.byPort.get(a.port);
    if (list === undefined) return undefined;
    for (const s of list) if (s.address.address === a.address) return s;
    return undefined;
  }

  /** The session holding a name of these keys (§5.3: either key); the nickKey match first. */
  byNickKeys(keys: NickKeys): Session | undefined {
    return this.byNick.get(keys.key) ?? this.byNickCase.get(keys.caseKey);
  }

  ipFull(ip: string): boolean {
    return (this.perIp.get(ip) ?? 0) >= this.sessionsPerIp;
  }

  add(s: Session): void {
    const old = this.byAddr.get(s.key);
    if (old !== undefined) this.unindex(old);
    this.byAddr.set(s.key, s);
    const list = this.byPort.get(s.address.port);
    if (list === undefined) this.byPort.set(s.address.port, [s]);
    else list.push(s);
    this.byNick.set(s.nickKey, s);
    this.byNickCase.set(s.nickCaseKey, s);
    this.perIp.set(s.address.address, (this.perIp.get(s.address.address) ?? 0) + 1);
    this.resume.delete(s.clientIdHex);
    this.addressCache = undefined;
    this.nickCache = undefined;
  }

  /** A rename (§6.3.6): the session is found by its new key, and member lists change. */
  rename(s: Session, nick: string, keys: NickKeys): void {
    this.unindexNick(s);
    s.nick = nick;
    s.nickKey = keys.key;
    s.nickCaseKey = keys.caseKey;
    this.byNick.set(keys.key, s);
    this.byNickCase.set(keys.caseKey, s);
    this.nickCache = undefined;
  }

  /** Removes a session, remembering what it had acknowledged for a later resume. */
  remove(s: Session): void {
    if (this.byAddr.get(s.key) !== s) return;
    this.byAddr.delete(s.key);
    this.unindex(s);
    this.unindexNick(s);
    const n = (this.perIp.get(s.address.address) ?? 1) - 1;
    if (n > 0) this.perIp.set(s.address.address, n);
    else this.perIp.delete(s.address.address);
    this.resume.set(s.clientIdHex, s.nextCseq - 1);
    if (this.resume.size > RESUME_ENTRIES) this.resume.delete(this.resume.keys().next().value as string);
    this.addressCache = undefined;
    this.nickCache = undefined;
  }

  /** Takes a session out of the by-port index. */
  private unindex(s: Session): void {
    const list = this.byPort.get(s.address.port);
    if (list === undefined) return;
    const i = list.indexOf(s);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byPort.delete(s.address.port);
  }

  private unindexNick(s: Session): void {
    if (this.byNick.get(s.nickKey) === s) this.byNick.delete(s.nickKey);
    if (this.byNickCase.get(s.nickCaseKey) === s) this.byNickCase.delete(s.nickCaseKey);
  }

  /** Remembers the last cseq accepted from a client with no session (restored after a restart). */
  rememberResume(clientIdHex: string, cseq: number): void {
    this.resume.delete(clientIdHex);
    this.resume.set(clientIdHex, cseq);
    if (this.resume.size > RESUME_ENTRIES) this.resume.delete(this.resume.keys().next().value as string);
  }

  /** The last cseq accepted from an ended session of this client, if remembered. */
  takeResume(clientIdHex: string): number {
    const acked = this.resume.get(clientIdHex) ?? 0;
    this.resume.delete(clientIdHex);
    return acked;
  }

  all(): IterableIterator<Session> {
    return this.byAddr.values();
  }

  /** Member addresses, cached until membership changes (fan-out reuses the array). */
  addresses(): readonly PeerAddress[] {
    this.addressCache ??= [...this.byAddr.values()].map((s) => s.address);
    return this.addressCache;
  }

  /** Member nicknames sorted by their uniqueness key. */
  nicks(): readonly string[] {
    this.nickCache ??= [...this.byNick.values()].sort((a, b) => byCodePoint(a.nickKey, b.nickKey)).map((s) => s.nick);
    return this.nickCache;
  }

  cookieUsed(hex: string): boolean {
    return this.usedCookies.has(hex);
  }

  useCookie(hex: string, expires: number): void {
    if (this.usedCookies.size >= USED_COOKIES_MAX) this.usedCookies.delete(this.usedCookies.keys().next().value as string);
    this.usedCookies.set(hex, expires);
  }

  /** Lets a cookie be used again (its session was never confirmed: the client is still trying). */
  forgetCookie(hex: string): void {
    this.usedCookies.delete(hex);
  }

  pruneCookies(now: number): void {
    for (const [hex, expires] of this.usedCookies) if (expires <= now) this.usedCookies.delete(hex);
  }
}

/** Code-point order (docs/protocol.md §6.1.6); `<` on strings compares UTF-16 units instead. */
export function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
