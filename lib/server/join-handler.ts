/**
 * JOIN handling (docs/protocol.md §5.1–§5.2, §6.1.3). Until a JOIN echoes a valid cookie
 * the server answers with one COOKIE datagram, smaller than the JOIN, and keeps no state.
 */
import { encode } from '../protocol/codec.js';
import type { WireErrorCode } from '../protocol/error-codes.js';
import type { JoinMessage } from '../protocol/messages.js';
import { checkNick } from '../protocol/nick.js';
import { verifyCookie } from './cookie.js';
import { packEntries } from './pack-entries.js';
import { type PeerAddress, addressKey } from './peer-address.js';
import type { ServerCore } from './server-core.js';
import type { Session } from './session-table.js';

export function handleJoin(core: ServerCore, m: JoinMessage, from: PeerAddress, requestBytes: number, now: number): void {
  const { options, sessions } = core;
  if (!verifyCookie(core.cookieKey, from, m.cookie, now, options.cookieBucketMs)) {
    const reply = encode({ type: 'cookie', clientId: m.clientId, cookie: core.cookieFor(from, now) });
    if (reply.length <= requestBytes) core.send(from, reply);
    return core.drop('join-without-cookie');
  }
  const clientIdHex = m.clientId.toString('hex');
  const here = sessions.byAddress(from);
  if (here !== undefined && here.clientIdHex === clientIdHex) {
    // A retried JOIN whose WELCOME was lost: the same session, told again.
    here.lastHeard = now;
    return core.send(from, welcome(core, here, m));
  }
  const cookieHex = m.cookie.toString('hex');
  if (sessions.cookieUsed(cookieHex)) return core.drop('cookie-replay');

  const refuse = (code: WireErrorCode, detail: string): void => {
    core.send(from, encode({ type: 'error', ref: m.clientId, code, arg: 0, detail }));
    core.emit({ type: 'refused', code, nick: m.nick, address: from });
  };
  const checked = checkNick(m.nick);
  if (!checked.ok) return refuse('UDPCHAT_ERR_NICK_INVALID', checked.reason);
  const holder = sessions.byNickKey(checked.key);
  let takeover = false;
  if (holder !== undefined) {
    if (holder.clientIdHex !== clientIdHex) return refuse('UDPCHAT_ERR_NICK_TAKEN', `"${holder.nick}" is in use`);
    // The same client from a new address (its port changed, or it lost its session): move it.
    core.removeSession(holder);
    takeover = true;
  }
  if (here !== undefined) {
    // Another client reused this address (a restarted process on the same port): the old one is gone.
    core.endSession(here, 'quit', now);
  }
  if (!takeover && sessions.size >= options.maxPeers) return refuse('UDPCHAT_ERR_SERVER_FULL', `at most ${options.maxPeers} peers`);
  if (!takeover && sessions.ipFull(from.address)) {
    return refuse('UDPCHAT_ERR_TOO_MANY_SESSIONS', `at most ${options.sessionsPerIp} per address`);
  }

  sessions.useCookie(cookieHex, now + 2 * options.cookieBucketMs);
  const baseSeq = core.log.lastSeq;
  const session: Session = {
    key: addressKey(from),
    address: { address: from.address, port: from.port },
    token: core.newToken(),
    clientIdHex,
    nick: checked.nick,
    nickKey: checked.key,
    nextCseq: sessions.takeResume(clientIdHex) + 1,
    inbox: new Map(),
    ...core.newFloodBuckets(now),
    lastHeard: now,
    delivered: 0,
    confirmed: false,
    joinedAt: now,
    cookieHex,
    historyFrom: historyFrom(core, m, baseSeq),
    baseSeq,
  };
  sessions.add(session);
  core.send(from, welcome(core, session, m));
  for (const d of packEntries(session.historyFrom, baseSeq, (s) => core.log.bytesOf(s))) core.send(from, d);
  if (!takeover) core.log.append({ kind: 'join', time: now, nick: session.nick });
  const pages = core.rosterPageCount();
  for (let page = 0; page < pages; page++) core.sendRosterPage(session, page);
  const resumed = takeover || (m.resumeSeq > 0 && m.resumeInstance.equals(core.instance));
  core.emit({ type: 'join', nick: session.nick, address: session.address, resumed });
}

/** Where this peer's replay starts: after what it already has (resume), else the last N messages. */
function historyFrom(core: ServerCore, m: JoinMessage, baseSeq: number): number {
  const { log } = core;
  const sameInstance = m.resumeInstance.equals(core.instance);
  if (sameInstance && m.resumeSeq > 0 && m.resumeSeq <= baseSeq && m.resumeSeq + 1 >= log.oldestSeq) {
    return m.resumeSeq + 1;
  }
  return Math.max(log.oldestSeq, log.historyStart(core.options.historyMessages));
}

function welcome(core: ServerCore, s: Session, m: JoinMessage): Buffer {
  return encode({
    type: 'welcome',
    clientId: m.clientId,
    token: s.token,
    instance: core.instance,
    historyFrom: s.historyFrom,
    baseSeq: s.baseSeq,
    ackedCseq: s.nextCseq - 1,
    heartbeatMs: core.options.heartbeatMs,
    idleTimeoutMs: core.options.idleTimeoutMs,
    maxText: core.options.maxText,
    caps: 0,
    nick: s.nick,
  });
}
