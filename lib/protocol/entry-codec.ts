/**
 * Room log entries inside DATA (docs/protocol.md §4.3). The server encodes each entry once
 * and reuses the bytes for every fan-out and repair datagram that carries it.
 */
import { ProtocolError } from './protocol-error.js';
import type { Entry, LeaveReason } from './messages.js';
import { Reader, Writer, nickLength, readNick, utf8Length } from './wire.js';

const KIND_MSG = 1;
const KIND_JOIN = 2;
const KIND_LEAVE = 3;

const REASONS: readonly LeaveReason[] = ['quit', 'timeout', 'shutdown', 'flooding'];

export function leaveReasonByte(reason: LeaveReason): number {
  const b = REASONS.indexOf(reason);
  // indexOf's -1 would be stored as 0xFF: refuse instead (a widened or unchecked value).
  if (b < 0) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'unknown leave reason');
  return b;
}

export function leaveReasonOf(b: number): LeaveReason {
  const reason = REASONS[b];
  if (reason === undefined) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'unknown leave reason');
  return reason;
}

/** Encodes one entry (without its sequence number, which DATA carries). */
export function encodeEntry(e: Entry): Buffer {
  return writeEntry(e, false);
}

/** As encodeEntry, in memory of its own (see Writer): for entries kept in the room log. */
export function encodeKeptEntry(e: Entry): Buffer {
  return writeEntry(e, true);
}

function writeEntry(e: Entry, own: boolean): Buffer {
  const n = nickLength(e.nick);
  if (!Number.isInteger(e.time) || e.time < 0 || e.time >= 2 ** 48) {
    throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'time out of range');
  }
  const head = 1 + 6 + 1 + n;
  switch (e.kind) {
    case 'msg': {
      const t = utf8Length(e.text);
      if (t > 0xffff || !Number.isInteger(e.target) || e.target < 0 || e.target > 255) throw new ProtocolError('UDPCHAT_ERR_BAD_FIELD', 'text or target out of range');
      return new Writer(head + 3 + t, own).u8(KIND_MSG).u48(e.time).u8(n).text(e.nick, n).u8(e.target).u16(t).text(e.text, t).done();
    }
    case 'join':
      return new Writer(head, own).u8(KIND_JOIN).u48(e.time).u8(n).text(e.nick, n).done();
    case 'leave':
      return new Writer(head + 1, own).u8(KIND_LEAVE).u48(e.time).u8(n).text(e.nick, n).u8(leaveReasonByte(e.reason)).done();
  }
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
