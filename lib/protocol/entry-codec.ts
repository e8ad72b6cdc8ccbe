/**
 * Room log entries inside DATA (docs/protocol.md §4.3), as a small table of their own: one
 * size, write and read per entry kind. The server encodes each entry once and reuses the bytes
 * for every fan-out and repair datagram that carries it.
 */
import { LocalError } from './local-error.js';
import type { Entry, LeaveReason } from './messages.js';
import { ProtocolError } from './protocol-error.js';
import { type Reader, Writer, nickLength, readNick, utf8Length } from './wire.js';

const KIND_MSG = 1;
const KIND_JOIN = 2;
const KIND_LEAVE = 3;

const REASONS: readonly LeaveReason[] = ['quit', 'timeout', 'shutdown', 'flooding'];

/** The byte of a leave reason (§4.4); LocalError UDPCHAT_ERR_BAD_FIELD for anything else. */
export function leaveReasonByte(reason: LeaveReason): number {
  const b = REASONS.indexOf(reason);
  // indexOf's -1 would be stored as 0xFF: refuse instead (a widened or unchecked value).
  if (b < 0) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', 'unknown leave reason');
  return b;
}

/** The leave reason of a byte (§4.4); ProtocolError UDPCHAT_ERR_BAD_FIELD for anything else. */
export function leaveReasonOf(b: number): LeaveReason {
  const reason = REASONS[b];
  if (reason === undefined) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'unknown leave reason');
  return reason;
}

/** kind (1) + time (6) + nickLen (1): what every entry starts with. */
const ENTRY_HEAD = 1 + 6 + 1;

/**
 * Bytes of one entry without its sequence number (which DATA carries). Checks every field, so
 * that {@link writeEntry} needs none: throws LocalError UDPCHAT_ERR_BAD_FIELD / UDPCHAT_ERR_BAD_UTF8.
 */
export function entrySize(e: Entry): number {
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
  }
}

/** Writes one entry that {@link entrySize} has measured (and so checked). */
export function writeEntry(w: Writer, e: Entry): void {
  const n = Buffer.byteLength(e.nick, 'utf8');
  const kind = e.kind === 'msg' ? KIND_MSG : e.kind === 'join' ? KIND_JOIN : KIND_LEAVE;
  w.u8(kind).u48(e.time).u8(n).text(e.nick, n);
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
  }
}

/** Encodes one entry (without its sequence number, which DATA carries). */
export function encodeEntry(e: Entry): Buffer {
  const w = new Writer(entrySize(e));
  writeEntry(w, e);
  return w.done();
}

/** As encodeEntry, in memory of its own (see Writer): for entries kept in the room log. */
export function encodeKeptEntry(e: Entry): Buffer {
  const w = new Writer(entrySize(e), true);
  writeEntry(w, e);
  return w.done();
}

/** Decodes one entry; `seq` comes from its place in the DATA datagram. */
export function decodeEntry(r: Reader, seq: number): Entry {
  const kind = r.u8();
  // Checked at once so that, as everywhere, the first bad field in reading order decides the error.
  if (kind !== KIND_MSG && kind !== KIND_JOIN && kind !== KIND_LEAVE) {
    throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'unknown entry kind');
  }
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
    default:
      throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'unknown entry kind');
  }
}
