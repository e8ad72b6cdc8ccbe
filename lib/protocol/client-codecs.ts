/**
 * Codec table entries of the client → server datagrams (docs/protocol.md §4.2.1–§4.2.6):
 * JOIN, SAY, PING, NACK, WHO, LEAVE. See {@link TypeCodec} for what size, write and read check.
 */
import { CLIENT_ID_BYTES, COOKIE_BYTES, INSTANCE_BYTES, TOKEN_BYTES } from './constants.js';
import { FRAME_BYTES, type TypeCodec, consistent, field, fixed, u16In, u32In, u8In } from './codec-fields.js';
import type { JoinMessage, LeaveMessage, NackMessage, PingMessage, SayMessage, WhoMessage } from './messages.js';
import { nickLength, readNick, utf8Length } from './wire.js';

const join: TypeCodec<JoinMessage> = {
  size: (m) => FRAME_BYTES + COOKIE_BYTES + CLIENT_ID_BYTES + INSTANCE_BYTES + 4 + 2 + 1 + nickLength(m.nick),
  write(w, m) {
    const n = Buffer.byteLength(m.nick, 'utf8');
    w.bytes(fixed(m.cookie, COOKIE_BYTES, 'cookie'))
      .bytes(fixed(m.clientId, CLIENT_ID_BYTES, 'clientId'))
      .bytes(fixed(m.resumeInstance, INSTANCE_BYTES, 'resumeInstance'))
      .u32(u32In(m.resumeSeq, 0, 'resumeSeq'))
      .u16(u16In(m.caps, 'caps'))
      .u8(n)
      .text(m.nick, n);
  },
  read(r) {
    const cookie = r.bytes(COOKIE_BYTES);
    const clientId = r.bytes(CLIENT_ID_BYTES);
    const resumeInstance = r.bytes(INSTANCE_BYTES);
    const resumeSeq = r.u32();
    const caps = r.u16();
    return { type: 'join', cookie, clientId, resumeInstance, resumeSeq, caps, nick: readNick(r) };
  },
};

const say: TypeCodec<SayMessage> = {
  size: (m) => FRAME_BYTES + TOKEN_BYTES + 4 + 1 + 2 + utf8Length(m.text),
  write(w, m) {
    const n = Buffer.byteLength(m.text, 'utf8');
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token'))
      .u32(u32In(m.cseq, 1, 'cseq'))
      .u8(u8In(m.target, 'target'))
      .u16(n)
      .text(m.text, n);
  },
  read(r) {
    const token = r.bytes(TOKEN_BYTES);
    const cseq = r.u32();
    field(cseq >= 1, 'cseq must be ≥ 1');
    const target = r.u8();
    return { type: 'say', token, cseq, target, text: r.text(r.u16()) };
  },
};

const ping: TypeCodec<PingMessage> = {
  size: () => FRAME_BYTES + TOKEN_BYTES + 4 + 4,
  write(w, m) {
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token'))
      .u32(u32In(m.delivered, 0, 'delivered'))
      .u32(u32In(m.echo, 0, 'echo'));
  },
  read: (r) => ({ type: 'ping', token: r.bytes(TOKEN_BYTES), delivered: r.u32(), echo: r.u32() }),
};

const nack: TypeCodec<NackMessage> = {
  size: () => FRAME_BYTES + TOKEN_BYTES + 4 + 4,
  write(w, m) {
    // Written as a refusal of to < from, so that NaN goes on to the range check as before.
    consistent(!(m.to < m.from), 'nack to < from');
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token'))
      .u32(u32In(m.from, 1, 'from'))
      .u32(u32In(m.to, 1, 'to'));
  },
  read(r) {
    const token = r.bytes(TOKEN_BYTES);
    const from = r.u32();
    field(from >= 1, 'nack from must be ≥ 1');
    const to = r.u32();
    field(to >= from, 'nack range must be from ≤ to');
    return { type: 'nack', token, from, to };
  },
};

const who: TypeCodec<WhoMessage> = {
  size: () => FRAME_BYTES + TOKEN_BYTES + 2,
  write(w, m) {
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token')).u16(u16In(m.page, 'page'));
  },
  read: (r) => ({ type: 'who', token: r.bytes(TOKEN_BYTES), page: r.u16() }),
};

const leave: TypeCodec<LeaveMessage> = {
  size: () => FRAME_BYTES + TOKEN_BYTES,
  write(w, m) {
    w.bytes(fixed(m.token, TOKEN_BYTES, 'token'));
  },
  read: (r) => ({ type: 'leave', token: r.bytes(TOKEN_BYTES) }),
};

/** The client → server entries of the codec table. */
export const CLIENT_CODECS = { join, say, ping, nack, who, leave } as const;
