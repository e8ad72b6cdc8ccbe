/**
 * The codec as data: for every datagram type its wire opcode (§3) and its {@link TypeCodec}
 * (size, write, read, §4.2). `encode` and `decode` (codec.ts) only frame and dispatch.
 */
import { CLIENT_CODECS } from './client-codecs.js';
import type { TypeCodec } from './codec-fields.js';
import { DISCOVERY_CODECS } from './discovery-codec.js';
import { HISTORY_CODECS } from './history-codec.js';
import type { Message, MessageType } from './messages.js';
import { ROOMS_CODECS } from './rooms-codec.js';
import { SERVER_CODECS } from './server-codecs.js';
import { WHOIS_CODECS } from './whois-codec.js';

/** Wire opcodes, the one place tags meet numbers (§3). */
export const OPCODES: Readonly<Record<MessageType, number>> = {
  join: 0x01,
  say: 0x02,
  ping: 0x03,
  nack: 0x04,
  who: 0x05,
  leave: 0x06,
  discover: 0x07,
  history: 0x08,
  rsay: 0x09,
  cmd: 0x0a,
  rnack: 0x0b,
  rwho: 0x0c,
  whois: 0x0d,
  cookie: 0x81,
  welcome: 0x82,
  data: 0x83,
  ack: 0x84,
  sync: 0x85,
  pong: 0x86,
  roster: 0x87,
  bye: 0x88,
  error: 0x89,
  offer: 0x8a,
  page: 0x8b,
  rdata: 0x8c,
  rsync: 0x8d,
  rstate: 0x8e,
  roominfo: 0x8f,
  rroster: 0x90,
  owner: 0x91,
};

/** One entry per type; the mapped type makes a missing or mistyped entry a compile error. */
export const CODECS: { readonly [T in MessageType]: TypeCodec<Extract<Message, { type: T }>> } = {
  ...CLIENT_CODECS,
  ...SERVER_CODECS,
  ...DISCOVERY_CODECS,
  ...WHOIS_CODECS,
  ...HISTORY_CODECS,
  ...ROOMS_CODECS,
};

/** The type of an opcode, or undefined for a number §3 does not define. */
export const TYPE_OF_OPCODE: ReadonlyMap<number, MessageType> = new Map(
  Object.entries(OPCODES).map(([t, op]) => [op, t as MessageType]),
);

/** The table entry of a message's own type (one cast here instead of one per caller). */
export function codecOf(type: MessageType): TypeCodec<Message> {
  return CODECS[type] as TypeCodec<Message>;
}
