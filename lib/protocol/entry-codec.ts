/**
 * Room log entries inside DATA (docs/protocol.md §4.3), as a small table of their own: one
 * size, write and read per entry kind. The server encodes each entry once and reuses the bytes
 * for every fan-out and repair datagram that carries it.
 */
import { LocalError } from './local-error.js';
import type { ByeReason, Entry, LeaveReason, RoomEntry } from './messages.js';
import { ProtocolError } from './protocol-error.js';
import { type Reader, Writer, nickLength, readNick, utf8Length } from './wire.js';

const KIND_MSG = 1;
const KIND_JOIN = 2;
const KIND_LEAVE = 3;
// Only in RDATA (capability bit 0, rooms; §4.3): a revision-1 client refuses them in DATA.
const KIND_TOPIC = 4;
const KIND_RENAME = 5;
const KIND_ACTION = 6;
const KIND_PART = 7;
const KIND_AWAY = 8;

const KIND_BYTE: Readonly<Record<RoomEntry['kind'], number>> = {
  msg: KIND_MSG,
  join: KIND_JOIN,
  leave: KIND_LEAVE,
  topic: KIND_TOPIC,
  rename: KIND_RENAME,
  action: KIND_ACTION,
  part: KIND_PART,
  away: KIND_AWAY,
};

/** True for the entry kinds DATA carries (1–3), which every revision decodes. */
export function isV1Entry(e: RoomEntry): e is Entry {
  return e.kind === 'msg' || e.kind === 'join' || e.kind === 'leave';
}

/** A reason's byte and back, over one list (§4.4): anything off the list is UDPCHAT_ERR_BAD_FIELD. */
function reasonTable<R extends string>(list: readonly R[]): { byte(reason: R): number; of(b: number): R } {
  return {
    byte(reason) {
      const b = list.indexOf(reason);
      // indexOf's -1 would be stored as 0xFF: refuse instead (a widened or unchecked value).
      if (b < 0) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', 'unknown leave reason');
      return b;
    },
    of(b) {
      const reason = list[b];
      if (reason === undefined) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'unknown leave reason');
      return reason;
    },
  };
}

const REASONS: readonly LeaveReason[] = ['quit', 'timeout', 'shutdown', 'flooding'];
const LEAVE = reasonTable(REASONS);
/** BYE's reasons: the leave reasons, then 4 `replaced`, which no entry carries (§4.4). */
const BYE = reasonTable<ByeReason>([...REASONS, 'replaced']);

/** The byte of a leave reason (§4.4); LocalError UDPCHAT_ERR_BAD_FIELD for anything else. */
export const leaveReasonByte = (reason: LeaveReason): number => LEAVE.byte(reason);
/** The leave reason of a byte (§4.4); ProtocolError UDPCHAT_ERR_BAD_FIELD for anything else. */
export const leaveReasonOf = (b: number): LeaveReason => LEAVE.of(b);
/** The byte of a BYE reason (§4.4); LocalError UDPCHAT_ERR_BAD_FIELD for anything else. */
export const byeReasonByte = (reason: ByeReason): number => BYE.byte(reason);
/** The BYE reason of a byte (§4.4); ProtocolError UDPCHAT_ERR_BAD_FIELD for anything else. */
export const byeReasonOf = (b: number): ByeReason => BYE.of(b);

/** An entry as the codec writes it: its sequence number, if any, is not written (DATA carries it). */
export type EntryBody = RoomEntry extends infer E ? (E extends RoomEntry ? Omit<E, 'seq'> & { readonly seq?: number } : never) : never;

/** kind (1) + time (6) + nickLen (1): what every entry starts with. */
const ENTRY_HEAD = 1 + 6 + 1;

/**
 * Bytes of one entry without its sequence number (which DATA carries). Checks every field, so
 * that {@link writeEntry} needs none: throws LocalError UDPCHAT_ERR_BAD_FIELD / UDPCHAT_ERR_BAD_UTF8.
 */
export function entrySize(e: EntryBody): number {
  const n = nickLength(e.nick);
  if (!Number.isInteger(e.time) || e.time < 0 || e.time >= 2 ** 48) {
    throw new LocalError('UDPCHAT_ERR_BAD_FIELD', 'time out of range');
  }
  switch (e.kind) {
    case 'msg': {
      const t = utf8Length(e.text);
      if (t > 0xffff || !Number.isInteger(e.target) || e.target < 0 || e.target > 255) {
        throw new LocalError('UDPCHAT_ERR_BAD_FIELD', 'text or target out of range');
      }
      return ENTRY_HEAD + n + 1 + 2 + t;
    }
    case 'join':
      return ENTRY_HEAD + n;
    case 'leave':
      leaveReasonByte(e.reason);
      return ENTRY_HEAD + n + 1;
    case 'topic':
    case 'action':
    case 'part':
      return ENTRY_HEAD + n + 2 + textLength(e.text);
    case 'rename':
      return ENTRY_HEAD + n + 1 + 1 + nickLength(e.to);
    case 'away':
      if (!e.away && e.text !== '') throw new LocalError('UDPCHAT_ERR_BAD_FIELD', 'a back entry has no text');
      return ENTRY_HEAD + n + 1 + 2 + textLength(e.text);
  }
}

function textLength(text: string): number {
  const t = utf8Length(text);
  if (t > 0xffff) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', 'text out of range');
  return t;
}

/** Writes one entry that {@link entrySize} has measured (and so checked). */
export function writeEntry(w: Writer, e: EntryBody): void {
  const n = Buffer.byteLength(e.nick, 'utf8');
  w.u8(KIND_BYTE[e.kind]).u48(e.time).u8(n).text(e.nick, n);
  switch (e.kind) {
    case 'msg': {
      const t = Buffer.byteLength(e.text, 'utf8');
      w.u8(e.target).u16(t).text(e.text, t);
      return;
    }
    case 'join':
      return;
    case 'leave':
      w.u8(leaveReasonByte(e.reason));
      return;
    case 'topic':
    case 'action':
    case 'part':
      writeText(w, e.text);
      return;
    case 'rename': {
      const m = Buffer.byteLength(e.to, 'utf8');
      w.u8(e.echo ? 1 : 0).u8(m).text(e.to, m);
      return;
    }
    case 'away':
      w.u8(e.away ? 1 : 0);
      writeText(w, e.text);
      return;
  }
}

function writeText(w: Writer, text: string): void {
  const t = Buffer.byteLength(text, 'utf8');
  w.u16(t).text(text, t);
}

/** Encodes one entry (without its sequence number, which DATA carries). */
export function encodeEntry(e: EntryBody): Buffer {
  const w = new Writer(entrySize(e));
  writeEntry(w, e);
  return w.done();
}

/** As encodeEntry, in memory of its own (see Writer): for entries kept in the room log. */
export function encodeKeptEntry(e: EntryBody): Buffer {
  const w = new Writer(entrySize(e), true);
  writeEntry(w, e);
  return w.done();
}

/** Decodes one entry of DATA (kinds 1–3); `seq` comes from its place in the datagram. */
export function decodeEntry(r: Reader, seq: number): Entry {
  return readEntry(r, seq, KIND_LEAVE) as Entry;
}

/** Decodes one entry of RDATA (kinds 1–8). */
export function decodeRoomEntry(r: Reader, seq: number): RoomEntry {
  return readEntry(r, seq, KIND_AWAY);
}

function readEntry(r: Reader, seq: number, maxKind: number): RoomEntry {
  const kind = r.u8();
  // Checked at once so that, as everywhere, the first bad field in reading order decides the error.
  if (kind < KIND_MSG || kind > maxKind) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'unknown entry kind');
  const time = r.u48();
  const nick = readNick(r);
  switch (kind) {
    case KIND_MSG: {
      const target = r.u8();
      return { kind: 'msg', seq, time, nick, target, text: r.text(r.u16()) };
    }
    case KIND_JOIN:
      return { kind: 'join', seq, time, nick };
    case KIND_LEAVE:
      return { kind: 'leave', seq, time, nick, reason: leaveReasonOf(r.u8()) };
    case KIND_TOPIC:
      return { kind: 'topic', seq, time, nick, text: r.text(r.u16()) };
    case KIND_RENAME: {
      const flags = r.u8();
      if (flags > 1) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'rename flags: only bit 0 is defined');
      return { kind: 'rename', seq, time, nick, echo: flags === 1, to: readNick(r) };
    }
    case KIND_ACTION:
      return { kind: 'action', seq, time, nick, text: r.text(r.u16()) };
    case KIND_PART:
      return { kind: 'part', seq, time, nick, text: r.text(r.u16()) };
    default: {
      const flags = r.u8();
      if (flags > 1) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'away flags: only bit 0 is defined');
      const text = r.text(r.u16());
      if (flags === 0 && text !== '') throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'a back entry has no text');
      return { kind: 'away', seq, time, nick, away: flags === 1, text };
    }
  }
}
