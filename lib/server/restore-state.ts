/**
 * What a server core starts from after a restart (docs/protocol.md §6.1.10): the instance, the
 * room log's seq and newest entries, what each client had acknowledged, and the sessions that were
 * online — rebuilt here into {@link Session}s that go on as if the server had never stopped.
 */
import { checkNick } from '../protocol/nick.js';
import { addressKey } from './peer-address.js';
import type { Session, SessionTable } from './session-table.js';
import type { PersistedSession } from './store/session-file.js';

export interface RestoredState {
  instance: Buffer;
  lastSeq: number;
  /** Oldest seq on disk (lastSeq + 1 when none). */
  oldestStored: number;
  /** Newest entries, oldest first, ending at lastSeq. */
  tail: readonly { seq: number; bytes: Buffer }[];
  /** clientId (hex) → highest cseq accepted, least recently used first. */
  cseqs: ReadonlyMap<string, number>;
  sessions: readonly PersistedSession[];
}

/**
 * Puts the persisted sessions back into `table` (skipping any whose nick is no longer valid or
 * whose address or nick another one already holds) and fills the resume table with the
 * acknowledged cseqs of every other client. Returns how many sessions were restored.
 */
export function restoreSessions(
  table: SessionTable,
  state: RestoredState,
  newLimits: (now: number) => Pick<Session, 'flood' | 'hard' | 'repair' | 'paging'>,
  now: number,
): number {
  let restored = 0;
  for (const p of state.sessions) {
    const checked = checkNick(p.nick);
    const address = { address: p.address, port: p.port };
    if (!checked.ok || table.byAddress(address) !== undefined || table.byNickKeys(checked) !== undefined) continue;
    const clientIdHex = p.clientId.toString('hex');
    const session: Session = {
      key: addressKey(address),
      address,
      token: p.token,
      clientIdHex,
      nick: checked.nick,
      nickKey: checked.key,
      nickCaseKey: checked.caseKey,
      nextCseq: (state.cseqs.get(clientIdHex) ?? 0) + 1,
      inbox: new Map(),
      ...newLimits(now),
      caps: p.caps,
      lastHeard: p.lastHeard,
      confirmed: true,
      joinedAt: p.joinedAt,
      cookieHex: '',
      historyFrom: p.historyFrom,
      baseSeq: p.baseSeq,
      restored: true,
    };
    table.add(session);
    restored++;
  }
  const live = new Set([...table.all()].map((s) => s.clientIdHex));
  for (const [hex, cseq] of state.cseqs) if (!live.has(hex)) table.rememberResume(hex, cseq);
  return restored;
}

/** The sessions of `table` as sessions.json stores them. */
export function persistedSessions(table: SessionTable): PersistedSession[] {
  return [...table.all()].map((s) => ({
    address: s.address.address,
    port: s.address.port,
    token: s.token,
    clientId: Buffer.from(s.clientIdHex, 'hex'),
    nick: s.nick,
    joinedAt: s.joinedAt,
    lastHeard: s.lastHeard,
    historyFrom: s.historyFrom,
    baseSeq: s.baseSeq,
    caps: s.caps,
  }));
}
