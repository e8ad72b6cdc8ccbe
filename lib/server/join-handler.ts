/**
 * JOIN handling (docs/protocol.md §5.1–§5.2, §6.1.3). Until a JOIN echoes a valid cookie the
 * server answers with one COOKIE datagram, smaller than the JOIN, and keeps no state.
 *
 * It works through a narrow {@link JoinContext}, not the whole server core.
 */
import { CHECKSUM_BYTES, CLIENT_ID_BYTES, COOKIE_BYTES, HEADER_BYTES } from '../protocol/constants.js';
import type { WireErrorCode } from '../protocol/error-codes.js';
import type { JoinMessage, LeaveReason, WelcomeMessage } from '../protocol/messages.js';
import { type NickKeys, checkNick } from '../protocol/nick.js';
import type { JoinLimiter } from './join-limiter.js';
import type { NickOwners } from './nick-owners.js';
import type { SourceLimits } from './source-limits.js';
import { CAP_IDENTITY } from '../protocol/whois-codec.js';
import { CAP_HISTORY } from '../protocol/history-codec.js';
import { CAP_ROOMS } from '../protocol/rooms-codec.js';
import type { Outbound } from './outbound.js';
import { sendRepair } from './gap-repair.js';
import type { Framing } from './pack-entries.js';
import { type PeerAddress, addressKey } from './peer-address.js';
import type { StagedLog } from './staged-log.js';
import type { ServerOptions } from './server-options.js';
import type { SealedPeer, ServerEvent } from './server-types.js';
import type { Session, SessionTable } from './session-table.js';

const COOKIE_DATAGRAM_BYTES = HEADER_BYTES + CLIENT_ID_BYTES + COOKIE_BYTES + CHECKSUM_BYTES;

/** True if a session made with `ownerKey` (undefined: cleartext) may be continued by this joiner. */
function sameOwner(ownerKey: Buffer | undefined, peer: SealedPeer | undefined): boolean {
  if (ownerKey === undefined) return peer === undefined;
  return peer !== undefined && ownerKey.equals(peer.staticKey);
}

/**
 * A session restored after a restart does not know its owner key (never stored): the first sealed
 * JOIN of its clientId adopts it, as the client continues its session (§6.1.10).
 */
function adoptRestored(s: Session, peer: SealedPeer | undefined): void {
  if (s.restored === true && s.ownerKey === undefined && peer !== undefined) s.ownerKey = Buffer.from(peer.staticKey);
}

/**
 * True if `holder`, a session of another client, was made with this sealed joiner's user key: the
 * same person started a new client (the old one crashed, or runs elsewhere). A session restored
 * without its key counts as the owner's when its nick is bound to the joiner's key (§5.3), since
 * only that key could have taken a bound nick.
 */
function sameUserElsewhere(ctx: JoinContext, holder: Session, peer: SealedPeer | undefined): boolean {
  if (peer === undefined) return false;
  if (holder.ownerKey !== undefined) return holder.ownerKey.equals(peer.staticKey);
  const bound = holder.restored === true ? ctx.nicks.ownerOf({ key: holder.nickKey, caseKey: holder.nickCaseKey }) : undefined;
  return bound !== undefined && bound.owner.equals(peer.staticKey);
}

function isZero(b: Buffer): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

/** What the join path may see and do. */
export interface JoinContext {
  readonly options: ServerOptions;
  readonly sessions: SessionTable;
  /** The room log; its lastSeq and contents are what is durable (§6.1.10). */
  readonly log: StagedLog;
  readonly instance: Buffer;
  readonly out: Outbound;
  /** A fresh cookie for this address and client id (§5.1). */
  makeCookie(from: PeerAddress, clientId: Buffer, now: number): Buffer;
  verifyCookie(from: PeerAddress, clientId: Buffer, cookie: Buffer, now: number): boolean;
  /** A fresh session token, the session's rate limiters and repair budget. */
  newToken(): Buffer;
  newLimits(now: number): Pick<Session, 'flood' | 'hard' | 'repair' | 'paging'>;
  /** Sessions created per source IP. */
  readonly joins: JoinLimiter;
  /** Per-prefix joins, per-source COOKIE replies, per-client churn (source-limits.ts). */
  readonly sources: SourceLimits;
  /** Nick ownership (§5.3): which user key a nick is bound to. */
  readonly nicks: NickOwners;
  /** Takes one COOKIE reply from the server-wide budget; false: drop the JOIN. */
  takeCookieReply(now: number): boolean;
  /** Takes one cookie check (two HMACs) from the server-wide budget; false: drop the JOIN. */
  takeCookieCheck(now: number): boolean;
  drop(reason: string): void;
  /** Counts a COOKIE sent (an unproven JOIN answered). */
  countCookie(): void;
  emit(e: ServerEvent): void;
  /** Ends a session with a leave entry (§6.1.7). */
  endSession(s: Session, reason: LeaveReason, now: number): void;
  /** Forgets a session without a leave entry (a takeover). */
  removeSession(s: Session): void;
  /** Sends every page of room 0's member list to a new session: ROSTER, or RROSTER with rooms (§6.3.4). */
  sendLobbyRoster(s: Session): void;
  /** How room 0's entries are read and framed for this session (DATA, or RDATA 0 with rooms, §6.3.5). */
  lobbyRendering(s: Session): { bytesOf: (seq: number) => Buffer | undefined; framing: Framing };
  /** A takeover: the new session goes on in the old one's streams (§6.3.7). */
  takenOver(old: Session, fresh: Session, now: number): void;
  /** The session's highest cseq that may be acknowledged (durable, §6.1.10). */
  ackedCseq(s: Session): number;
}

/**
 * A fresh cookie for an unproven address, within the per-source and server-wide COOKIE budgets
 * (counted), or undefined (a counted drop). The caller makes sure its reply is no larger than the
 * request. Used for a cleartext JOIN and for a sealed HELLO (seal layer).
 */
export function cookieReply(ctx: JoinContext, from: PeerAddress, clientId: Buffer, now: number): Buffer | undefined {
  // Per source first, so that one source (or one victim's address, spoofed) cannot use up the
  // server-wide budget of everyone else.
  if (!ctx.sources.takeCookie(from.address, now)) return void ctx.drop('cookie-source-rate');
  if (!ctx.takeCookieReply(now)) return void ctx.drop('cookie-rate');
  ctx.countCookie();
  return ctx.makeCookie(from, clientId, now);
}

/** `peer`: the sender's user key when the JOIN came through a sealed handshake (undefined: cleartext). */
export function handleJoin(ctx: JoinContext, m: JoinMessage, from: PeerAddress, requestBytes: number, now: number, peer?: SealedPeer): void {
  const { options, sessions } = ctx;
  // A zero cookie (every join's first step) needs no HMAC to be found wanting; checking a cookie
  // costs two, within a server-wide budget, so a flood of JOINs with made-up cookies costs little.
  if (!isZero(m.cookie) && !ctx.takeCookieCheck(now)) return ctx.drop('cookie-check-rate');
  if (isZero(m.cookie) || !ctx.verifyCookie(from, m.clientId, m.cookie, now)) {
    // Unproven address: one reply, never larger than the request (§5.5; a COOKIE is smaller than
    // any JOIN, checked all the same), within a server-wide rate. Answered, not dropped: this is
    // every join's first step.
    if (COOKIE_DATAGRAM_BYTES > requestBytes) return ctx.drop('cookie-rate');
    const cookie = cookieReply(ctx, from, m.clientId, now);
    if (cookie !== undefined) ctx.out.send(from, { type: 'cookie', clientId: m.clientId, cookie });
    return;
  }
  const clientIdHex = m.clientId.toString('hex');
  const here = sessions.byAddress(from);
  // Through the seal layer only the holder of a session's user key may continue, move or replace
  // it: a sniffed clientId (HELLO carries it in clear) with another key gets nowhere.
  if (here !== undefined) adoptRestored(here, peer);
  if (here !== undefined && !sameOwner(here.ownerKey, peer)) return ctx.drop('owner-mismatch');
  if (here !== undefined && here.clientIdHex === clientIdHex) {
    // A retried JOIN whose WELCOME was lost: the same session, told again.
    here.lastHeard = now;
    return ctx.out.send(from, welcome(ctx, here, m));
  }
  const cookieHex = m.cookie.toString('hex');
  if (sessions.cookieUsed(cookieHex)) return ctx.drop('cookie-replay');
  // A client id that keeps creating sessions (join/leave churn) is slowed, not refused: its JOIN
  // goes unanswered and the client retries (§6.2.2), as through loss.
  if (!ctx.sources.takeClientJoin(clientIdHex, now)) return ctx.drop('join-churn');

  const refuse = (code: WireErrorCode, detail: string): void => {
    ctx.out.send(from, { type: 'error', ref: m.clientId, code, arg: 0, detail });
    ctx.emit({ type: 'refused', code, nick: m.nick, address: from });
  };
  const checked = checkNick(m.nick);
  if (!checked.ok) return refuse('UDPCHAT_ERR_NICK_INVALID', checked.reason);
  // In use by someone else online: NICK_TAKEN ("in use" is the more useful answer while it is).
  const holder = sessions.byNickKeys(checked);
  if (holder !== undefined && holder.clientIdHex === clientIdHex) adoptRestored(holder, peer);
  // The holder's own user key from another client: the new client replaces the old one (§6.1.3 step 5).
  const elsewhere = holder !== undefined && holder.clientIdHex !== clientIdHex && sameUserElsewhere(ctx, holder, peer) ? holder : undefined;
  if (holder !== undefined && elsewhere === undefined && (holder.clientIdHex !== clientIdHex || !sameOwner(holder.ownerKey, peer))) {
    return refuse('UDPCHAT_ERR_NICK_TAKEN', `"${holder.nick}" is in use`);
  }
  // Bound to another user key (or any key, for a cleartext join): NICK_OWNED to a client that
  // knows the code (caps bit identity), NICK_TAKEN with the same detail to an older one.
  const owned = ctx.nicks.refusal(checked, peer?.staticKey, now);
  if (owned !== undefined) return refuse((m.caps & CAP_IDENTITY) !== 0 ? 'UDPCHAT_ERR_NICK_OWNED' : 'UDPCHAT_ERR_NICK_TAKEN', owned.detail);
  if (elsewhere !== undefined) {
    // Told, so that a client still running there stops instead of rejoining and taking it back.
    ctx.out.send(elsewhere.address, { type: 'bye', token: elsewhere.token, reason: 'replaced' });
    ctx.endSession(elsewhere, 'quit', now);
  }
  let replaced: Session | undefined;
  if (holder !== undefined && elsewhere === undefined) {
    // The same client from a new address (its port changed, or it lost its session): move it.
    ctx.removeSession(holder);
    replaced = holder;
  }
  const takeover = replaced !== undefined;
  // Another client reused this address (a restarted process on the same port): the old one is gone.
  if (here !== undefined && here !== elsewhere) ctx.endSession(here, 'quit', now);
  if (!takeover && sessions.size >= options.maxPeers) return refuse('UDPCHAT_ERR_SERVER_FULL', `at most ${options.maxPeers} peers`);
  if (!takeover && sessions.ipFull(from.address)) {
    return refuse('UDPCHAT_ERR_TOO_MANY_SESSIONS', `at most ${options.sessionsPerIp} per address`);
  }
  if (!ctx.joins.take(from.address, now)) {
    return refuse('UDPCHAT_ERR_TOO_MANY_SESSIONS', `too many joins from this address: try again in ${ctx.joins.waitSeconds(from.address, now)} s`);
  }
  const network = ctx.sources.takePrefixJoin(from.address, now);
  if (network !== undefined) {
    return refuse('UDPCHAT_ERR_TOO_MANY_SESSIONS', `too many joins from this network (${network.prefix}): try again in ${network.waitSeconds} s`);
  }
  createSession(ctx, m, from, { clientIdHex, cookieHex, nick: checked.nick, keys: checked, replaced, ownerKey: peer && Buffer.from(peer.staticKey) }, now);
}

interface NewSession {
  clientIdHex: string;
  cookieHex: string;
  nick: string;
  keys: NickKeys;
  /** A takeover: the session this one replaces. */
  replaced: Session | undefined;
  ownerKey: Buffer | undefined;
}

/** §6.1.3 "Creating the session": WELCOME, history, the join entry, the member list. */
function createSession(ctx: JoinContext, m: JoinMessage, from: PeerAddress, n: NewSession, now: number): void {
  const { sessions, log, options } = ctx;
  sessions.useCookie(n.cookieHex, now + 2 * options.cookieBucketMs);
  const baseSeq = log.lastSeq;
  const session: Session = {
    key: addressKey(from),
    address: { address: from.address, port: from.port },
    token: ctx.newToken(),
    clientIdHex: n.clientIdHex,
    nick: n.nick,
    nickKey: n.keys.key,
    nickCaseKey: n.keys.caseKey,
    caps: enabledCaps(ctx, m),
    ownerKey: n.ownerKey,
    nextCseq: sessions.takeResume(n.clientIdHex) + 1,
    inbox: new Map(),
    ...ctx.newLimits(now),
    lastHeard: now,
    confirmed: false,
    joinedAt: now,
    cookieHex: n.cookieHex,
    historyFrom: historyFrom(ctx, m, baseSeq),
    baseSeq,
  };
  sessions.add(session);
  // A table full of bindings in use: the nick stays unbound (first come) rather than the join refused.
  if (n.ownerKey !== undefined && !ctx.nicks.claim(n.nick, n.keys, n.ownerKey, now)) ctx.drop('nick-bindings-full');
  ctx.out.send(from, welcome(ctx, session, m));
  // What the newcomer may draw: the replay it is owed, and the allowance (repair-budget.ts).
  session.repair.credit(log.replayBytes(session.historyFrom, baseSeq));
  // At most one NACK's worth at once; the client asks for the rest (§6.2.5), within its budget.
  const lobby = ctx.lobbyRendering(session);
  sendRepair(ctx.out, session, session.historyFrom, baseSeq, lobby.bytesOf, lobby.framing);
  if (n.replaced === undefined) log.append({ kind: 'join', time: now, nick: session.nick });
  ctx.sendLobbyRoster(session);
  if (n.replaced !== undefined) ctx.takenOver(n.replaced, session, now);
  const resumed = n.replaced !== undefined || (m.resumeSeq > 0 && m.resumeInstance.equals(ctx.instance));
  ctx.emit({ type: 'join', nick: session.nick, address: session.address, resumed });
}

/** Where this peer's replay starts: after what it already has (resume), else the last N messages (§6.1.9). */
function historyFrom(ctx: JoinContext, m: JoinMessage, baseSeq: number): number {
  const { log } = ctx;
  const sameInstance = m.resumeInstance.equals(ctx.instance);
  if (sameInstance && m.resumeSeq > 0 && m.resumeSeq <= baseSeq && m.resumeSeq + 1 >= log.oldestKept) {
    return m.resumeSeq + 1;
  }
  return Math.max(log.oldestSeq, log.historyStart(ctx.options.historyMessages));
}

/** The capability bits this server supports (§4.5); a session gets those its JOIN also set. */
export const SERVER_CAPS = CAP_HISTORY | CAP_IDENTITY;

function welcome(ctx: JoinContext, s: Session, m: JoinMessage): WelcomeMessage {
  return {
    type: 'welcome',
    clientId: m.clientId,
    token: s.token,
    instance: ctx.instance,
    historyFrom: s.historyFrom,
    baseSeq: s.baseSeq,
    ackedCseq: ctx.ackedCseq(s),
    heartbeatMs: ctx.options.heartbeatMs,
    idleTimeoutMs: ctx.options.idleTimeoutMs,
    maxText: ctx.options.maxText,
    caps: s.caps,
    nick: s.nick,
  };
}

/** The capabilities this server enables for a JOIN (§4.5): those of SERVER_CAPS it offers, and rooms unless turned off. */
function enabledCaps(ctx: JoinContext, m: JoinMessage): number {
  return m.caps & (SERVER_CAPS | (ctx.options.rooms ? CAP_ROOMS : 0));
}
