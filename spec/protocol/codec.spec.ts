/**
 * The codec against its contract: the fixtures in docs/protocol.md §10, the CRC-32 trailer of §2,
 * the size and range rules of §3–§4, the error codes of §7, and seeded random/mutation loops
 * (fast-check; a failure prints the seed, replay it with FC_SEED=<seed>).
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { expect } from 'chai';
import fc, { type Arbitrary, type IProperty } from 'fast-check';
import { DATA_OVERHEAD, decode, encode, encodeData, encodePage, OPCODES, peekType } from '../../lib/protocol/codec.js';
import { PAGE_OLDEST } from '../../lib/protocol/history-codec.js';
import * as constants from '../../lib/protocol/constants.js';
import { CHECKSUM_BYTES, DEFAULTS, HEADER_BYTES, MAX_DATAGRAM } from '../../lib/protocol/constants.js';
import { encodeEntry } from '../../lib/protocol/entry-codec.js';
import { ERROR_DESCRIPTIONS, WIRE_ERROR_CODES, type ErrorCode, type WireErrorCode } from '../../lib/protocol/error-codes.js';
import type { ByeReason, CommandName, Entry, LeaveReason, Message, MessageType, RoomEntry } from '../../lib/protocol/messages.js';
import { COMMAND_OPS } from '../../lib/protocol/rooms-codec.js';
import { CODECS } from '../../lib/protocol/codec-table.js';
import { LocalError } from '../../lib/protocol/local-error.js';
import { ProtocolError } from '../../lib/protocol/protocol-error.js';
import { docSection, loadDocFixtures, messageToJson, readProtocolDoc } from './doc-fixtures.js';

const DOC = readProtocolDoc();
const { examples, invalid } = loadDocFixtures();
const h = (hex: string): Buffer => Buffer.from(hex, 'hex');
const TOKEN = h('7b1e4c2a9f3d8e6b0a5c7d9e1f2b4a6c');
const CLIENT_ID = h('3a7f1c9e5b2d4f608e1a2b3c4d5e6f70');
const INSTANCE = h('0f1e2d3c4b5a6978');
const T0 = 1_767_225_600_000;
const U32_MAX = 0xffff_ffff;

/** Runs `fn` and checks it throws a ProtocolError with `code` (and nothing else). */
function expectProtocolError(fn: () => unknown, code: ErrorCode): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ProtocolError ${code}`).to.be.instanceOf(ProtocolError);
  expect((caught as ProtocolError).code).to.equal(code);
}

/** Runs `fn` (an encode) and checks it throws a LocalError with `code`: we asked for what the format cannot carry. */
function expectLocalError(fn: () => unknown, code: ErrorCode): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected LocalError ${code}`).to.be.instanceOf(LocalError);
  expect((caught as LocalError).code).to.equal(code);
}

function example(name: string): Buffer {
  const found = examples.find((e) => e.name === name);
  if (found === undefined) throw new Error(`docs/protocol.md has no example ${name}`);
  return Buffer.from(found.bytes);
}

// ---- the trailer (§2), computed independently of the codec and of zlib ---------------------------

/** CRC-32 as §2 defines it (IEEE 802.3: reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF), bit by bit. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffff_ffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb8_8320 : c >>> 1;
  }
  return (c ^ 0xffff_ffff) >>> 0;
}

/** `bytes` followed by their CRC-32 trailer: a datagram whose checksum matches, whatever else is wrong with it. */
function seal(bytes: Uint8Array): Buffer {
  const trailer = Buffer.alloc(CHECKSUM_BYTES);
  trailer.writeUInt32BE(crc32(bytes));
  return Buffer.concat([bytes, trailer]);
}

/** A datagram without its trailer (header and body). */
function unsealed(datagram: Buffer): Buffer {
  return Buffer.from(datagram.subarray(0, datagram.length - CHECKSUM_BYTES));
}

/** A copy of a datagram, edited by `edit` (offsets as in §4) and sealed again, so only the edit is wrong. */
function edited(datagram: Buffer, edit: (b: Buffer) => void): Buffer {
  const b = unsealed(datagram);
  edit(b);
  return seal(b);
}

/** True if the last 4 bytes are the CRC-32 of the bytes before them. */
function trailerMatches(datagram: Buffer): boolean {
  return datagram.length >= CHECKSUM_BYTES && crc32(datagram.subarray(0, datagram.length - CHECKSUM_BYTES)) === datagram.readUInt32BE(datagram.length - CHECKSUM_BYTES);
}

/** The example whose bytes a damaged fixture happens to equal (bad-checksum is one flip away from ack). */
function exampleEqualTo(b: Buffer): (typeof examples)[number] | undefined {
  return examples.find((e) => e.bytes.equals(b));
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}

/**
 * What §4.7 steps 1–5 say about a datagram that was damaged after a correct encoding: the first check
 * it fails, or undefined if it passes them all (its trailer matches).
 */
function earlyFailure(b: Buffer): ErrorCode | undefined {
  if (b.length > MAX_DATAGRAM) return 'UDPCHAT_ERR_OVERSIZE';
  if (b.length < HEADER_BYTES + CHECKSUM_BYTES) return 'UDPCHAT_ERR_TRUNCATED';
  if (b[0] !== 0x55 || b[1] !== 0x43) return 'UDPCHAT_ERR_BAD_MAGIC';
  if (b[2] !== 0x01) return 'UDPCHAT_ERR_BAD_VERSION';
  return trailerMatches(b) ? undefined : 'UDPCHAT_ERR_BAD_CHECKSUM';
}

/** Size of a message by the formulas of docs/protocol.md §3–§4 (header and trailer included), computed independently of the codec. */
function expectedSize(m: Message): number {
  const b = (s: string): number => Buffer.byteLength(s, 'utf8');
  switch (m.type) {
    case 'join':
      return 55 + b(m.nick);
    case 'say':
      return 31 + b(m.text);
    case 'ping':
    case 'nack':
      return 32;
    case 'who':
      return 26;
    case 'leave':
      return 24;
    case 'cookie':
      return 40;
    case 'welcome':
      return 73 + b(m.nick);
    case 'data':
      return m.entries.reduce((n, e) => n + roomEntrySize(e), 13);
    case 'ack':
      return 28;
    case 'sync':
      return 12;
    case 'pong':
      return 16;
    case 'roster':
      return m.nicks.reduce((n, s) => n + 1 + b(s), 17);
    case 'bye':
      return 25;
    case 'discover':
      return 128;
    case 'offer':
      return 33 + b(m.name);
    case 'error':
      return 31 + b(m.detail);
    case 'whois':
      return 25 + b(m.nick);
    case 'owner':
      return 64 + b(m.nick);
    case 'history':
      return 29;
    case 'page':
      return m.entries.reduce((n, e) => n + 8 + b(e.nick) + (e.kind === 'msg' ? 3 + b(e.text) : e.kind === 'leave' ? 1 : 0), 30);
    case 'rsay':
      return 35 + b(m.text);
    case 'cmd':
      return 36 + b(m.name) + b(m.text);
    case 'rnack':
      return 36;
    case 'rwho':
      return 30;
    case 'rdata':
      return m.entries.reduce((n, e) => n + roomEntrySize(e), 17);
    case 'rsync':
      return 16;
    case 'rstate':
      return 9 + 8 * m.streams.length;
    case 'roominfo':
      return 46 + b(m.name) + b(m.topic);
    case 'rroster':
      return m.members.reduce((n, x) => n + 2 + b(x.nick), 21);
  }
}

/** Size of one entry by the table of §4.3. */
function roomEntrySize(e: RoomEntry): number {
  const b = (s: string): number => Buffer.byteLength(s, 'utf8');
  const head = 8 + b(e.nick);
  switch (e.kind) {
    case 'msg':
      return head + 3 + b(e.text);
    case 'join':
      return head;
    case 'leave':
      return head + 1;
    case 'topic':
    case 'action':
    case 'part':
      return head + 2 + b(e.text);
    case 'rename':
      return head + 2 + b(e.to);
    case 'away':
      return head + 3 + b(e.text);
  }
}

// ---- seeded property runner ---------------------------------------------------

const FC_SEED = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? undefined : Number(process.env.FC_SEED);
if (FC_SEED !== undefined && !Number.isInteger(FC_SEED)) throw new Error(`FC_SEED must be an integer, got ${process.env.FC_SEED}`);

function checkProperty<Ts>(property: IProperty<Ts>, numRuns: number): void {
  const details = fc.check(property, { numRuns, ...(FC_SEED === undefined ? {} : { seed: FC_SEED }) });
  if (details.failed) throw new Error(`${fc.defaultReportMessage(details)}\nReplay with FC_SEED=${details.seed}`);
}

/** Decodes or throws ProtocolError, nothing else; a decoded datagram re-encodes to the same ≤ 1200 bytes. */
function decodesOrRefuses(bytes: Uint8Array): void {
  let m: Message;
  try {
    m = decode(bytes);
  } catch (err) {
    if (err instanceof ProtocolError) return;
    throw err;
  }
  const again = encode(m);
  expect(again.length).to.be.at.most(MAX_DATAGRAM);
  expect(again.equals(Buffer.from(bytes)), 'encoding is canonical').to.equal(true);
}

// ---- arbitraries ------------------------------------------------------------------

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: U32_MAX });
const pos32 = fc.integer({ min: 1, max: U32_MAX });
const fixedBytes = (n: number): Arbitrary<Buffer> => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
const token = fixedBytes(16);
const withinBytes = (max: number, maxLength: number, minBytes = 0): Arbitrary<string> =>
  fc.string({ unit: 'binary', minLength: minBytes, maxLength }).filter((s) => {
    const n = Buffer.byteLength(s);
    return n >= minBytes && n <= max;
  });
const nick = withinBytes(64, 24, 1);
/** Mostly short text, sometimes long enough that the datagram would pass 1200 bytes. */
const text = fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 400 }) });
const reason = fc.constantFrom<LeaveReason>('quit', 'timeout', 'shutdown', 'flooding');
const byeReason = fc.constantFrom<ByeReason>('quit', 'timeout', 'shutdown', 'flooding', 'replaced');
const time = fc.integer({ min: 0, max: 2 ** 48 - 1 });
const wireCode = fc.constantFrom(...(Object.keys(WIRE_ERROR_CODES) as WireErrorCode[]));

type EntryBody = Entry extends infer E ? (E extends Entry ? Omit<E, 'seq'> : never) : never;
const entryBody: Arbitrary<EntryBody> = fc.oneof(
  fc.record({ kind: fc.constant('msg' as const), time, nick, target: fc.integer({ min: 0, max: 255 }), text }),
  fc.record({ kind: fc.constant('join' as const), time, nick }),
  fc.record({ kind: fc.constant('leave' as const), time, nick, reason }),
);

const roomEntryBody: Arbitrary<Omit<RoomEntry, 'seq'>> = fc.oneof(
  entryBody,
  fc.record({ kind: fc.constantFrom('topic' as const, 'action' as const, 'part' as const), time, nick, text }),
  fc.record({ kind: fc.constant('rename' as const), time, nick, echo: fc.boolean(), to: nick }),
  fc.record({ kind: fc.constant('away' as const), time, nick, away: fc.constant(true), text }),
  fc.record({ kind: fc.constant('away' as const), time, nick, away: fc.constant(false), text: fc.constant('') }),
);
const name64 = withinBytes(64, 24);

const arbMessage: Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('join' as const), cookie: token, clientId: token, resumeInstance: fixedBytes(8), resumeSeq: u32, caps: u16, nick }),
  fc.record({ type: fc.constant('say' as const), token, cseq: pos32, target: fc.integer({ min: 0, max: 255 }), text }),
  fc.record({ type: fc.constant('ping' as const), token, delivered: u32, echo: u32 }),
  fc
    .tuple(token, pos32, u32)
    .map(([t, a, b]) => ({ type: 'nack' as const, token: t, from: Math.min(a, Math.max(b, 1)), to: Math.max(a, b) })),
  fc.record({ type: fc.constant('who' as const), token, page: u16 }),
  fc.record({ type: fc.constant('leave' as const), token }),
  fc.record({ type: fc.constant('cookie' as const), clientId: token, cookie: token }),
  u32.chain((baseSeq) =>
    fc.record({
      type: fc.constant('welcome' as const),
      clientId: token,
      token,
      instance: fixedBytes(8),
      historyFrom: fc.integer({ min: 1, max: Math.min(baseSeq + 1, U32_MAX) }),
      baseSeq: fc.constant(baseSeq),
      ackedCseq: u32,
      heartbeatMs: pos32,
      idleTimeoutMs: pos32,
      maxText: u16,
      caps: u16,
      nick,
    }),
  ),
  fc.array(entryBody, { minLength: 1, maxLength: 30 }).chain((bodies) =>
    fc.integer({ min: 1, max: U32_MAX - bodies.length + 1 }).map((first) => ({
      type: 'data' as const,
      entries: bodies.map((e, i) => ({ ...e, seq: first + i }) as Entry),
    })),
  ),
  fc.record({ type: fc.constant('ack' as const), token, cseq: u32 }),
  fc.record({ type: fc.constant('sync' as const), lastSeq: u32 }),
  fc.record({ type: fc.constant('pong' as const), lastSeq: u32, echo: u32 }),
  fc.integer({ min: 1, max: 0xffff }).chain((pages) =>
    fc.record({
      type: fc.constant('roster' as const),
      asOfSeq: u32,
      page: fc.integer({ min: 0, max: pages - 1 }),
      pages: fc.constant(pages),
      nicks: fc.array(nick, { maxLength: 30 }),
    }),
  ),
  fc.record({ type: fc.constant('bye' as const), token, reason: byeReason }),
  fc.record({ type: fc.constant('error' as const), ref: token, code: wireCode, arg: u32, detail: withinBytes(200, 80) }),
  fc.record({ type: fc.constant('discover' as const), nonce: token }),
  fc.record({ type: fc.constant('whois' as const), token, nick }),
  fc.oneof(
    fc.record({ type: fc.constant('owner' as const), token, bound: fc.constant(true), online: fc.boolean(), lastUsed: time, key: fixedBytes(32), nick }),
    fc.record({ type: fc.constant('owner' as const), token, bound: fc.constant(false), online: fc.boolean(), lastUsed: fc.constant(0), key: fc.constant(Buffer.alloc(32)), nick }),
  ),
  fc.record({ type: fc.constant('history' as const), token, before: pos32, count: fc.integer({ min: 1, max: 255 }) }),
  fc.array(entryBody, { maxLength: 30 }).chain((bodies) =>
    fc
      .tuple(token, fc.integer({ min: bodies.length + 1, max: U32_MAX }), fc.boolean(), fc.boolean())
      .map(([t, before, oldest, gone]) => {
        const reachesOne = before - bodies.length === 1;
        const isOldest = reachesOne || bodies.length === 0 || oldest;
        return {
          type: 'page' as const,
          token: t,
          before,
          oldest: isOldest,
          gone: isOldest && !reachesOne && gone,
          entries: bodies.map((e, i) => ({ ...e, seq: before - bodies.length + i }) as Entry),
        };
      }),
  ),
  fc.record({
    type: fc.constant('offer' as const),
    nonce: token,
    protocol: fc.integer({ min: 1, max: 255 }),
    port: fc.integer({ min: 1, max: 0xffff }),
    users: u32,
    passphrase: fc.boolean(),
    name: withinBytes(63, 30, 1),
  }),
  fc.record({ type: fc.constant('rsay' as const), token, cseq: pos32, roomId: u32, action: fc.boolean(), text }),
  fc.record({ type: fc.constant('cmd' as const), token, cseq: pos32, op: fc.constantFrom(...COMMAND_OPS), roomId: u32, name: name64, text }),
  fc
    .tuple(token, u32, pos32, u32)
    .map(([t, roomId, a, b]) => ({ type: 'rnack' as const, token: t, roomId, from: Math.min(a, Math.max(b, 1)), to: Math.max(a, b) })),
  fc.record({ type: fc.constant('rwho' as const), token, roomId: u32, page: u16 }),
  fc.array(roomEntryBody, { minLength: 1, maxLength: 30 }).chain((bodies) =>
    fc.tuple(u32, fc.integer({ min: 1, max: U32_MAX - bodies.length + 1 })).map(([roomId, first]) => ({
      type: 'rdata' as const,
      roomId,
      entries: bodies.map((e, i) => ({ ...e, seq: first + i }) as RoomEntry),
    })),
  ),
  fc.record({ type: fc.constant('rsync' as const), roomId: u32, lastSeq: u32 }),
  fc.record({ type: fc.constant('rstate' as const), streams: fc.array(fc.record({ roomId: u32, lastSeq: u32 }), { maxLength: 160 }) }),
  fc.tuple(u32, fc.integer({ min: 1, max: 0xffff })).chain(([lastSeq, total]) =>
    fc.record({
      type: fc.constant('roominfo' as const),
      token,
      roomId: u32,
      kind: fc.constantFrom('room' as const, 'private' as const, 'listing' as const, 'gone' as const),
      members: u16,
      lastSeq: fc.constant(lastSeq),
      historyFrom: fc.integer({ min: 1, max: Math.min(lastSeq + 1, U32_MAX) }),
      index: fc.integer({ min: 0, max: total - 1 }),
      total: fc.constant(total),
      name: nick,
      topic: text,
    }),
  ),
  fc.integer({ min: 1, max: 0xffff }).chain((pages) =>
    fc.record({
      type: fc.constant('rroster' as const),
      roomId: u32,
      asOfSeq: u32,
      page: fc.integer({ min: 0, max: pages - 1 }),
      pages: fc.constant(pages),
      members: fc.array(fc.record({ nick, away: fc.boolean() }), { maxLength: 30 }),
    }),
  ),
);

type Mutation =
  | { op: 'set'; at: number; value: number }
  | { op: 'flip'; at: number; bit: number }
  | { op: 'truncate'; at: number }
  | { op: 'extend'; bytes: Uint8Array }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'u32'; at: number; value: number };

const mutation: Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('extend' as const), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.uint8Array({ maxLength: 1250 })) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('u32' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0x7f, 0xff, 0x100, 0xffff, 0x10000, 0x7fff_ffff, U32_MAX) }),
);

function mutate(input: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : 'at' in m ? m.at % (b.length + 1) : 0;
    switch (m.op) {
      case 'set':
        if (at < b.length) b[at] = m.value;
        break;
      case 'flip':
        if (at < b.length) b[at] = (b[at] as number) ^ (1 << m.bit);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'extend':
        b = Buffer.concat([b, m.bytes]);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
        break;
      case 'u32':
        if (at + 4 <= b.length) b.writeUInt32BE(m.value, at);
        break;
    }
  }
  return b;
}

// ---- specs ------------------------------------------------------------------------

describe('codec', () => {
  describe('docs/protocol.md §10 examples', () => {
    it('has fixtures for every datagram type and the required cases', () => {
      const types = new Set(examples.map((e) => e.message.type));
      for (const t of Object.keys(OPCODES)) expect(types, `an example of ${t}`).to.include(t);
      const data = examples.map((e) => e.message).filter((m) => m.type === 'data');
      expect(data.some((m) => new Set(m.entries.map((e) => e.kind)).size === 3), 'a DATA with all three entry kinds').to.equal(true);
      const roster = examples.map((e) => e.message).filter((m) => m.type === 'roster');
      expect(roster.some((m) => m.nicks.length === 2 && m.nicks.some((n) => /\p{Script=Cyrillic}/u.test(n))), 'a ROSTER with a Cyrillic nick').to.equal(true);
      const says = examples.map((e) => e.message).filter((m) => m.type === 'say');
      expect(says.some((m) => /\p{Extended_Pictographic}/u.test(m.text)), 'a SAY with emoji').to.equal(true);
      const codes = new Set(invalid.map((i) => i.code));
      for (const c of ['BAD_MAGIC', 'BAD_VERSION', 'BAD_CHECKSUM', 'UNKNOWN_TYPE', 'TRUNCATED', 'TRAILING_BYTES', 'BAD_UTF8', 'BAD_FIELD']) {
        expect(codes, `an invalid example for ${c}`).to.include(`UDPCHAT_ERR_${c}`);
      }
    });

    for (const ex of examples) {
      describe(ex.name, () => {
        it('decodes to the message in its JSON block', () => {
          expect(decode(ex.bytes)).to.deep.equal(ex.message);
        });

        it('encodes to the bytes in its hex block', () => {
          expect(encode(ex.message).toString('hex')).to.equal(ex.bytes.toString('hex'));
        });

        it('is recognised by peekType and matches the size rule of §3', () => {
          expect(peekType(ex.bytes)).to.equal(ex.message.type);
          expect(ex.bytes.length).to.equal(expectedSize(ex.message));
        });

        it('ends with the big-endian CRC-32 of the bytes before it (§2)', () => {
          expect(trailerMatches(ex.bytes)).to.equal(true);
        });

        it('converts back to its JSON form', () => {
          expect(messageToJson(decode(ex.bytes))).to.deep.equal(messageToJson(ex.message));
        });
      });
    }
  });

  describe('docs/protocol.md §10 invalid examples', () => {
    for (const iv of invalid) {
      it(`refuses ${iv.name} with ${iv.code}`, () => {
        expectProtocolError(() => decode(iv.bytes), iv.code);
      });
    }

    it('gives every invalid example a matching trailer unless it fails before the checksum or is about it', () => {
      const before = new Set<ErrorCode>(['UDPCHAT_ERR_OVERSIZE', 'UDPCHAT_ERR_BAD_MAGIC', 'UDPCHAT_ERR_BAD_VERSION', 'UDPCHAT_ERR_BAD_CHECKSUM']);
      for (const iv of invalid) {
        if (iv.code === 'UDPCHAT_ERR_TRUNCATED' && iv.bytes.length < HEADER_BYTES + CHECKSUM_BYTES) continue;
        if (!before.has(iv.code)) expect(trailerMatches(iv.bytes), `${iv.name} has a matching trailer`).to.equal(true);
      }
    });

    it('makes bad-checksum an example with exactly one bit flipped', () => {
      const bad = invalid.find((i) => i.name === 'bad-checksum');
      if (bad === undefined) throw new Error('docs/protocol.md has no invalid example bad-checksum');
      const bitsApart = (a: Buffer, b: Buffer): number => [...a].reduce((n, x, i) => n + popcount(x ^ (b[i] as number)), 0);
      const near = examples.filter((e) => e.bytes.length === bad.bytes.length && bitsApart(e.bytes, bad.bytes) === 1);
      expect(near.map((e) => e.name)).to.have.length(1);
    });
  });

  describe('round trips', () => {
    const maxNick = 'ж'.repeat(32); // 64 bytes
    const cases: Array<[string, Message]> = [
      ['a JOIN with the longest nick', { type: 'join', cookie: TOKEN, clientId: CLIENT_ID, resumeInstance: INSTANCE, resumeSeq: U32_MAX, caps: 0xffff, nick: maxNick }],
      ['a JOIN with a one-byte nick', { type: 'join', cookie: Buffer.alloc(16), clientId: CLIENT_ID, resumeInstance: Buffer.alloc(8), resumeSeq: 0, caps: 0, nick: 'a' }],
      ['a SAY with empty text', { type: 'say', token: TOKEN, cseq: 1, target: 0, text: '' }],
      ['a SAY with the largest cseq and target', { type: 'say', token: TOKEN, cseq: U32_MAX, target: 255, text: 'x' }],
      ['a SAY with a leading BOM and NUL', { type: 'say', token: TOKEN, cseq: 3, target: 0, text: '\uFEFFa\u0000b' }],
      ['a SAY with flags, ZWJ sequences and skin tones', { type: 'say', token: TOKEN, cseq: 4, target: 0, text: '🇺🇦 👩‍💻 👋🏿 e\u0301' }],
      ['a SAY of exactly 1200 bytes', { type: 'say', token: TOKEN, cseq: 5, target: 0, text: 'x'.repeat(1169) }],
      ['a SAY of exactly 1200 bytes of two-byte letters', { type: 'say', token: TOKEN, cseq: 6, target: 0, text: 'я'.repeat(584) + '!' }],
      ['a PING with extreme values', { type: 'ping', token: TOKEN, delivered: U32_MAX, echo: 0 }],
      ['a NACK of one seq', { type: 'nack', token: TOKEN, from: 7, to: 7 }],
      ['a NACK of the whole range', { type: 'nack', token: TOKEN, from: 1, to: U32_MAX }],
      ['a WHO for the last page', { type: 'who', token: TOKEN, page: 0xffff }],
      ['a LEAVE', { type: 'leave', token: TOKEN }],
      ['a COOKIE', { type: 'cookie', clientId: CLIENT_ID, cookie: TOKEN }],
      ['a WELCOME at the end of the sequence space', { type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: INSTANCE, historyFrom: U32_MAX, baseSeq: U32_MAX, ackedCseq: U32_MAX, heartbeatMs: 1, idleTimeoutMs: U32_MAX, maxText: 0xffff, caps: 0xffff, nick: maxNick }],
      ['a DATA of 131 join entries (1192 bytes)', { type: 'data', entries: Array.from({ length: 131 }, (_, i): Entry => ({ kind: 'join', seq: 1 + i, time: T0, nick: 'a' })) }],
      ['a DATA of exactly 1200 bytes', { type: 'data', entries: Array.from({ length: 131 }, (_, i): Entry => ({ kind: 'join', seq: 1 + i, time: T0, nick: i === 130 ? 'abcdefghi' : 'a' })) }],
      ['a DATA ending at seq 2^32-1', { type: 'data', entries: [{ kind: 'leave', seq: U32_MAX - 1, time: 0, nick: 'a', reason: 'flooding' }, { kind: 'msg', seq: U32_MAX, time: 2 ** 48 - 1, nick: maxNick, target: 0, text: 'y'.repeat(1000) }] }],
      ['a ROSTER of 255 nicks', { type: 'roster', asOfSeq: 9, page: 0, pages: 1, nicks: Array.from({ length: 255 }, (_, i) => String.fromCodePoint(0x4e00 + i)) }],
      ['an empty ROSTER page', { type: 'roster', asOfSeq: 0, page: 0xfffe, pages: 0xffff, nicks: [] }],
      ['a ROSTER page of 18 longest nicks', { type: 'roster', asOfSeq: 1, page: 0, pages: 1, nicks: Array.from({ length: 18 }, () => maxNick) }],
      ['a BYE for each reason', { type: 'bye', token: TOKEN, reason: 'shutdown' }],
      ['a DISCOVER', { type: 'discover', nonce: CLIENT_ID }],
      ['an OFFER with the longest name and extreme numbers', { type: 'offer', nonce: TOKEN, protocol: 255, port: 65535, users: U32_MAX, passphrase: true, name: 'ж'.repeat(31) + 'x' }],
      ['an OFFER with a one-byte name', { type: 'offer', nonce: TOKEN, protocol: 1, port: 1, users: 0, passphrase: false, name: 'a' }],
      ['a HISTORY at the end of the sequence space', { type: 'history', token: TOKEN, before: U32_MAX, count: 255 }],
      ['an empty PAGE: nothing before seq 1', { type: 'page', token: TOKEN, before: 1, oldest: true, gone: false, entries: [] }],
      ['an empty PAGE beyond retention', { type: 'page', token: TOKEN, before: 500, oldest: true, gone: true, entries: [] }],
      ['a PAGE reaching seq 1', { type: 'page', token: TOKEN, before: 3, oldest: true, gone: false, entries: [{ kind: 'join', seq: 1, time: T0, nick: 'a' }, { kind: 'msg', seq: 2, time: T0, nick: 'a', target: 0, text: 'first' }] }],
      ['a PAGE of exactly 1200 bytes', { type: 'page', token: TOKEN, before: 1000, oldest: false, gone: false, entries: Array.from({ length: 130 }, (_, i): Entry => ({ kind: 'join', seq: 870 + i, time: T0, nick: 'a' })) }],
      ['an ERROR with the longest detail', { type: 'error', ref: CLIENT_ID, code: 'UDPCHAT_ERR_NICK_INVALID', arg: U32_MAX, detail: 'д'.repeat(100) }],
    ];
    for (const [name, m] of cases) {
      it(`round-trips ${name}`, () => {
        const bytes = encode(m);
        expect(bytes.length).to.equal(expectedSize(m)).and.to.be.at.most(MAX_DATAGRAM);
        expect(trailerMatches(bytes)).to.equal(true);
        expect(decode(bytes)).to.deep.equal(m);
      });
    }

    it('round-trips BYE and leave entries with every reason', () => {
      for (const r of ['quit', 'timeout', 'shutdown', 'flooding'] as const) {
        const bye: Message = { type: 'bye', token: TOKEN, reason: r };
        expect(decode(encode(bye))).to.deep.equal(bye);
        const data: Message = { type: 'data', entries: [{ kind: 'leave', seq: 1, time: T0, nick: 'bob', reason: r }] };
        expect(decode(encode(data))).to.deep.equal(data);
      }
      // 4 replaced is BYE's only (§4.4): no entry carries it.
      const replaced: Message = { type: 'bye', token: TOKEN, reason: 'replaced' };
      expect(decode(encode(replaced))).to.deep.equal(replaced);
    });

    it('accepts a SAY of exactly 1200 bytes and refuses one of 1201 with OVERSIZE', () => {
      const ok = encode({ type: 'say', token: TOKEN, cseq: 1, target: 0, text: 'x'.repeat(1169) });
      expect(ok.length).to.equal(1200);
      expect(decode(ok)).to.include({ type: 'say' });
      expectLocalError(() => encode({ type: 'say', token: TOKEN, cseq: 1, target: 0, text: 'x'.repeat(1170) }), 'UDPCHAT_ERR_OVERSIZE');
      // 1201 bytes of a well-formed SAY with a matching trailer: refused for its size alone.
      const tooLong = seal(Buffer.concat([h('55430102'), TOKEN, h('00000001' + '00' + '0492'), Buffer.alloc(1170, 0x78)]));
      expect(tooLong.length).to.equal(1201);
      expectProtocolError(() => decode(tooLong), 'UDPCHAT_ERR_OVERSIZE');
      expectProtocolError(() => decode(Buffer.concat([ok, Buffer.from([0x78])])), 'UDPCHAT_ERR_OVERSIZE');
    });

    it('accepts a DATA of exactly 1200 bytes and refuses one of 1201 with OVERSIZE', () => {
      const entries = (last: string): Entry[] => Array.from({ length: 131 }, (_, i): Entry => ({ kind: 'join', seq: 1 + i, time: T0, nick: i === 130 ? last : 'a' }));
      expect(encode({ type: 'data', entries: entries('abcdefghi') }).length).to.equal(1200);
      expectLocalError(() => encode({ type: 'data', entries: entries('abcdefghij') }), 'UDPCHAT_ERR_OVERSIZE');
      expectLocalError(() => encodeData(1, entries('abcdefghij').map(encodeEntry)), 'UDPCHAT_ERR_OVERSIZE');
    });

    it('counts header, firstSeq, count and trailer in DATA_OVERHEAD (what the server packs entries against)', () => {
      expect(DATA_OVERHEAD).to.equal(HEADER_BYTES + 4 + 1 + CHECKSUM_BYTES);
      const entries = [encodeEntry({ kind: 'join', seq: 1, time: T0, nick: 'alice' }), encodeEntry({ kind: 'msg', seq: 2, time: T0, nick: 'bob', target: 0, text: 'hi' })];
      expect(encodeData(1, entries).length).to.equal(DATA_OVERHEAD + entries.reduce((n, e) => n + e.length, 0));
    });

    it('builds the same PAGE from pre-encoded entries as from messages (encodePage, the server path)', () => {
      const entries: Entry[] = [{ kind: 'join', seq: 41, time: T0, nick: 'bob' }, { kind: 'msg', seq: 42, time: T0 + 5, nick: 'bob', target: 0, text: 'hello' }];
      const m: Message = { type: 'page', token: TOKEN, before: 43, oldest: false, gone: false, entries };
      expect(encodePage(TOKEN, 43, 0, entries.map((e) => encodeEntry(e))).equals(encode(m))).to.equal(true);
      expect(encodePage(TOKEN, 1, PAGE_OLDEST, []).equals(encode({ type: 'page', token: TOKEN, before: 1, oldest: true, gone: false, entries: [] }))).to.equal(true);
      expectLocalError(() => encodePage(TOKEN, 5, 0, []), 'UDPCHAT_ERR_BAD_FIELD');
    });

    it('builds the same DATA from pre-encoded entries as from messages', () => {
      const m = examples.find((e) => e.name === 'data-all-kinds')?.message;
      if (m?.type !== 'data') throw new Error('missing data-all-kinds');
      const first = m.entries[0] as Entry;
      expect(encodeData(first.seq, m.entries.map(encodeEntry)).equals(encode(m))).to.equal(true);
    });
  });

  describe('encode refusals', () => {
    const say = (patch: Partial<Record<string, unknown>>): Message => ({ type: 'say', token: TOKEN, cseq: 1, target: 0, text: 'x', ...patch }) as Message;
    const bad: Array<[string, Message, ErrorCode]> = [
      ['a 15-byte token', say({ token: Buffer.alloc(15) }), 'UDPCHAT_ERR_BAD_FIELD'],
      ['cseq 0', say({ cseq: 0 }), 'UDPCHAT_ERR_BAD_FIELD'],
      ['cseq 2^32', say({ cseq: 2 ** 32 }), 'UDPCHAT_ERR_BAD_FIELD'],
      ['a fractional cseq', say({ cseq: 1.5 }), 'UDPCHAT_ERR_BAD_FIELD'],
      ['target 256', say({ target: 256 }), 'UDPCHAT_ERR_BAD_FIELD'],
      ['target NaN', say({ target: Number.NaN }), 'UDPCHAT_ERR_BAD_FIELD'],
      ['a lone surrogate in text', say({ text: 'a\uD800b' }), 'UDPCHAT_ERR_BAD_UTF8'],
      ['text of 1170 bytes', say({ text: 'x'.repeat(1170) }), 'UDPCHAT_ERR_OVERSIZE'],
      ['an empty nick', { type: 'join', cookie: TOKEN, clientId: CLIENT_ID, resumeInstance: INSTANCE, resumeSeq: 0, caps: 0, nick: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a 65-byte nick', { type: 'join', cookie: TOKEN, clientId: CLIENT_ID, resumeInstance: INSTANCE, resumeSeq: 0, caps: 0, nick: 'x'.repeat(65) }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['caps 65536', { type: 'join', cookie: TOKEN, clientId: CLIENT_ID, resumeInstance: INSTANCE, resumeSeq: 0, caps: 0x10000, nick: 'a' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a 7-byte resumeInstance', { type: 'join', cookie: TOKEN, clientId: CLIENT_ID, resumeInstance: Buffer.alloc(7), resumeSeq: 0, caps: 0, nick: 'a' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a NACK with to < from', { type: 'nack', token: TOKEN, from: 5, to: 4 }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a NACK from 0', { type: 'nack', token: TOKEN, from: 0, to: 4 }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['WHO page -1', { type: 'who', token: TOKEN, page: -1 }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['historyFrom > baseSeq + 1', { type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: INSTANCE, historyFrom: 12, baseSeq: 10, ackedCseq: 0, heartbeatMs: 5000, idleTimeoutMs: 30000, maxText: 1000, caps: 0, nick: 'a' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['heartbeatMs 0', { type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: INSTANCE, historyFrom: 1, baseSeq: 0, ackedCseq: 0, heartbeatMs: 0, idleTimeoutMs: 30000, maxText: 1000, caps: 0, nick: 'a' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['maxText 65536', { type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: INSTANCE, historyFrom: 1, baseSeq: 0, ackedCseq: 0, heartbeatMs: 1, idleTimeoutMs: 1, maxText: 0x10000, caps: 0, nick: 'a' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a DATA without entries', { type: 'data', entries: [] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a DATA with a gap in its seqs', { type: 'data', entries: [{ kind: 'join', seq: 1, time: 0, nick: 'a' }, { kind: 'join', seq: 3, time: 0, nick: 'b' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a DATA past seq 2^32-1', { type: 'data', entries: [{ kind: 'join', seq: U32_MAX, time: 0, nick: 'a' }, { kind: 'join', seq: 2 ** 32, time: 0, nick: 'b' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a DATA of 132 join entries (1201 bytes)', { type: 'data', entries: Array.from({ length: 132 }, (_, i): Entry => ({ kind: 'join', seq: 1 + i, time: 0, nick: 'a' })) }, 'UDPCHAT_ERR_OVERSIZE'],
      ['a DATA of 256 entries', { type: 'data', entries: Array.from({ length: 256 }, (_, i): Entry => ({ kind: 'join', seq: 1 + i, time: 0, nick: 'a' })) }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an entry time of 2^48', { type: 'data', entries: [{ kind: 'join', seq: 1, time: 2 ** 48, nick: 'a' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an unknown leave reason', { type: 'bye', token: TOKEN, reason: 'bored' as LeaveReason }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a ROSTER page equal to pages', { type: 'roster', asOfSeq: 1, page: 1, pages: 1, nicks: [] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a ROSTER of 256 nicks', { type: 'roster', asOfSeq: 1, page: 0, pages: 1, nicks: Array.from({ length: 256 }, () => 'a') }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a ROSTER of 19 longest nicks', { type: 'roster', asOfSeq: 1, page: 0, pages: 1, nicks: Array.from({ length: 19 }, () => 'x'.repeat(64)) }, 'UDPCHAT_ERR_OVERSIZE'],
      ['an ERROR with a local code', { type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_TRUNCATED' as WireErrorCode, arg: 0, detail: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an ERROR with a 201-byte detail', { type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_FLOODING', arg: 0, detail: 'x'.repeat(201) }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an ERROR with a negative arg', { type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_FLOODING', arg: -1, detail: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a DISCOVER with a 15-byte nonce', { type: 'discover', nonce: Buffer.alloc(15) }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an OFFER with a 64-byte name', { type: 'offer', nonce: TOKEN, protocol: 1, port: 7777, users: 0, passphrase: false, name: 'x'.repeat(64) }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an OFFER with an empty name', { type: 'offer', nonce: TOKEN, protocol: 1, port: 7777, users: 0, passphrase: false, name: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an OFFER for port 0', { type: 'offer', nonce: TOKEN, protocol: 1, port: 0, users: 0, passphrase: false, name: 'a' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a HISTORY before 0', { type: 'history', token: TOKEN, before: 0, count: 1 }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a HISTORY for 0 entries', { type: 'history', token: TOKEN, before: 9, count: 0 }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a HISTORY for 256 entries', { type: 'history', token: TOKEN, before: 9, count: 256 }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a PAGE whose entries do not end just before `before`', { type: 'page', token: TOKEN, before: 9, oldest: false, gone: false, entries: [{ kind: 'join', seq: 7, time: 0, nick: 'a' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an empty PAGE that is not the oldest', { type: 'page', token: TOKEN, before: 9, oldest: false, gone: false, entries: [] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a PAGE gone but not oldest', { type: 'page', token: TOKEN, before: 9, oldest: false, gone: true, entries: [{ kind: 'join', seq: 8, time: 0, nick: 'a' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a PAGE reaching seq 1 with older entries gone', { type: 'page', token: TOKEN, before: 2, oldest: true, gone: true, entries: [{ kind: 'join', seq: 1, time: 0, nick: 'a' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a PAGE reaching seq 1 that is not the oldest', { type: 'page', token: TOKEN, before: 2, oldest: false, gone: false, entries: [{ kind: 'join', seq: 1, time: 0, nick: 'a' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a PAGE of 131 join entries (1201 bytes)', { type: 'page', token: TOKEN, before: 1000, oldest: false, gone: false, entries: Array.from({ length: 131 }, (_, i): Entry => ({ kind: 'join', seq: 869 + i, time: 0, nick: 'a' })) }, 'UDPCHAT_ERR_OVERSIZE'],
      ['an OFFER of protocol 0', { type: 'offer', nonce: TOKEN, protocol: 0, port: 7777, users: 0, passphrase: false, name: 'a' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a DATA with a topic entry (kinds 4–8 only in RDATA)', { type: 'data', entries: [{ kind: 'topic', seq: 1, time: 0, nick: 'a', text: 't' } as unknown as Entry] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RSAY with cseq 0', { type: 'rsay', token: TOKEN, cseq: 0, roomId: 1, action: false, text: 'x' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RSAY with 65536 bytes of text', { type: 'rsay', token: TOKEN, cseq: 1, roomId: 1, action: false, text: 'x'.repeat(0x10000) }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RSAY to roomId -1', { type: 'rsay', token: TOKEN, cseq: 1, roomId: -1, action: false, text: 'x' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a CMD with an unknown op', { type: 'cmd', token: TOKEN, cseq: 1, op: 'kick' as CommandName, roomId: 0, name: '', text: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a CMD with a 65-byte name', { type: 'cmd', token: TOKEN, cseq: 1, op: 'nick', roomId: 0, name: 'x'.repeat(65), text: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a CMD with a lone surrogate', { type: 'cmd', token: TOKEN, cseq: 1, op: 'away', roomId: 0, name: '', text: '\uDC00' }, 'UDPCHAT_ERR_BAD_UTF8'],
      ['an RNACK with to < from', { type: 'rnack', token: TOKEN, roomId: 1, from: 5, to: 4 }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RNACK from 0', { type: 'rnack', token: TOKEN, roomId: 1, from: 0, to: 4 }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RWHO page 65536', { type: 'rwho', token: TOKEN, roomId: 1, page: 0x10000 }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RDATA without entries', { type: 'rdata', roomId: 1, entries: [] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RDATA with a gap in its seqs', { type: 'rdata', roomId: 1, entries: [{ kind: 'join', seq: 1, time: 0, nick: 'a' }, { kind: 'join', seq: 3, time: 0, nick: 'b' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RDATA past seq 2^32-1', { type: 'rdata', roomId: 1, entries: [{ kind: 'join', seq: U32_MAX, time: 0, nick: 'a' }, { kind: 'join', seq: 2 ** 32, time: 0, nick: 'b' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RDATA with firstSeq 0', { type: 'rdata', roomId: 1, entries: [{ kind: 'join', seq: 0, time: 0, nick: 'a' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RDATA with roomId 2^32', { type: 'rdata', roomId: 2 ** 32, entries: [{ kind: 'join', seq: 1, time: 0, nick: 'a' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a back entry with text', { type: 'rdata', roomId: 1, entries: [{ kind: 'away', seq: 1, time: 0, nick: 'a', away: false, text: 'x' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a rename to an empty nick', { type: 'rdata', roomId: 1, entries: [{ kind: 'rename', seq: 1, time: 0, nick: 'a', echo: false, to: '' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a topic of 65536 bytes', { type: 'rdata', roomId: 1, entries: [{ kind: 'topic', seq: 1, time: 0, nick: 'a', text: 'x'.repeat(0x10000) }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RSYNC with lastSeq -1', { type: 'rsync', roomId: 1, lastSeq: -1 }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RSTATE of 256 streams', { type: 'rstate', streams: Array.from({ length: 256 }, () => ({ roomId: 1, lastSeq: 1 })) }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RSTATE of 149 streams (1201 bytes)', { type: 'rstate', streams: Array.from({ length: 149 }, () => ({ roomId: 1, lastSeq: 1 })) }, 'UDPCHAT_ERR_OVERSIZE'],
      ['an RSTATE with a negative lastSeq', { type: 'rstate', streams: [{ roomId: 1, lastSeq: -1 }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a ROOMINFO of an unknown kind', { type: 'roominfo', token: TOKEN, roomId: 1, kind: 'secret' as 'room', members: 0, lastSeq: 0, historyFrom: 1, index: 0, total: 1, name: '#a', topic: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a ROOMINFO with historyFrom > lastSeq + 1', { type: 'roominfo', token: TOKEN, roomId: 1, kind: 'room', members: 0, lastSeq: 3, historyFrom: 5, index: 0, total: 1, name: '#a', topic: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a ROOMINFO with index = total', { type: 'roominfo', token: TOKEN, roomId: 1, kind: 'listing', members: 0, lastSeq: 0, historyFrom: 1, index: 2, total: 2, name: '#a', topic: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a ROOMINFO with an empty name', { type: 'roominfo', token: TOKEN, roomId: 1, kind: 'room', members: 0, lastSeq: 0, historyFrom: 1, index: 0, total: 1, name: '', topic: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a ROOMINFO with 65536 members', { type: 'roominfo', token: TOKEN, roomId: 1, kind: 'room', members: 0x10000, lastSeq: 0, historyFrom: 1, index: 0, total: 1, name: '#a', topic: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RROSTER page equal to pages', { type: 'rroster', roomId: 1, asOfSeq: 1, page: 1, pages: 1, members: [] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RROSTER of 256 members', { type: 'rroster', roomId: 1, asOfSeq: 1, page: 0, pages: 1, members: Array.from({ length: 256 }, () => ({ nick: 'a', away: false })) }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an RROSTER page -1', { type: 'rroster', roomId: 1, asOfSeq: 1, page: -1, pages: 1, members: [] }, 'UDPCHAT_ERR_BAD_FIELD'],
    ];
    for (const [name, m, code] of bad) {
      it(`refuses ${name} with a LocalError ${code}`, () => {
        expectLocalError(() => encode(m), code);
      });
    }
  });

  describe('error codes raised by the codec', () => {
    it('raises UDPCHAT_ERR_BAD_MAGIC for anything but "UC" in the first two bytes, trailer or not', () => {
      for (const head of ['0043', '5500', '4355', 'ffff']) {
        expectProtocolError(() => decode(seal(h(`${head}018500000001`))), 'UDPCHAT_ERR_BAD_MAGIC');
        expectProtocolError(() => decode(h(`${head}0185000000010000`)), 'UDPCHAT_ERR_BAD_MAGIC');
      }
    });

    it('raises UDPCHAT_ERR_BAD_VERSION for every version but 1, trailer or not', () => {
      for (let v = 0; v < 256; v++) {
        if (v === 1) continue;
        expectProtocolError(() => decode(seal(Buffer.from([0x55, 0x43, v, 0x85, 0, 0, 0, 1]))), 'UDPCHAT_ERR_BAD_VERSION');
        expectProtocolError(() => decode(Buffer.from([0x55, 0x43, v, 0x85, 0, 0, 0, 1, 0, 0, 0, 0])), 'UDPCHAT_ERR_BAD_VERSION');
      }
    });

    it('raises UDPCHAT_ERR_UNKNOWN_TYPE for every type byte §3 does not define (behind a matching trailer)', () => {
      const defined = new Set(Object.values(OPCODES));
      for (let t = 0; t < 256; t++) {
        if (!defined.has(t)) {
          expectProtocolError(() => decode(seal(Buffer.from([0x55, 0x43, 0x01, t, 0, 0, 0, 1]))), 'UDPCHAT_ERR_UNKNOWN_TYPE');
          expectProtocolError(() => decode(seal(Buffer.from([0x55, 0x43, 0x01, t]))), 'UDPCHAT_ERR_UNKNOWN_TYPE');
          expect(peekType(Buffer.from([0x55, 0x43, 0x01, t]))).to.equal(undefined);
        }
      }
    });

    it('raises UDPCHAT_ERR_TRUNCATED for anything shorter than header and trailer (8 bytes), whatever it holds', () => {
      for (const ex of [...examples.map((e) => e.bytes), ...invalid.map((i) => i.bytes)]) {
        for (let n = 0; n < HEADER_BYTES + CHECKSUM_BYTES; n++) expectProtocolError(() => decode(ex.subarray(0, n)), 'UDPCHAT_ERR_TRUNCATED');
      }
      for (let n = 0; n < 8; n++) expectProtocolError(() => decode(Buffer.alloc(n, 0xff)), 'UDPCHAT_ERR_TRUNCATED');
    });

    it('raises UDPCHAT_ERR_TRUNCATED for every proper prefix of every example body, behind a matching trailer', () => {
      for (const ex of examples) {
        const body = unsealed(ex.bytes);
        for (let n = HEADER_BYTES; n < body.length; n++) expectProtocolError(() => decode(seal(body.subarray(0, n))), 'UDPCHAT_ERR_TRUNCATED');
      }
    });

    it('raises UDPCHAT_ERR_OVERSIZE for 1201 to 65507 bytes before looking at them', () => {
      for (const n of [1201, 1500, 65507]) {
        expectProtocolError(() => decode(Buffer.alloc(n)), 'UDPCHAT_ERR_OVERSIZE');
        expectProtocolError(() => decode(Buffer.concat([example('sync'), Buffer.alloc(n - example('sync').length)])), 'UDPCHAT_ERR_OVERSIZE');
        expectProtocolError(() => decode(seal(Buffer.concat([unsealed(example('sync')), Buffer.alloc(n - example('sync').length)]))), 'UDPCHAT_ERR_OVERSIZE');
      }
    });

    it('raises UDPCHAT_ERR_TRAILING_BYTES for every example with a byte between its last field and its trailer', () => {
      for (const ex of examples) {
        for (const extra of [0x00, 0x55, 0xff]) expectProtocolError(() => decode(seal(Buffer.concat([unsealed(ex.bytes), Buffer.from([extra])]))), 'UDPCHAT_ERR_TRAILING_BYTES');
      }
    });

    it('raises UDPCHAT_ERR_BAD_UTF8 for ill-formed text in every text field', () => {
      const illFormed = [h('c328'), h('eda080'), h('c0af'), h('f4908080'), h('ff'), h('e282')];
      for (const bad of illFormed) {
        const n = bad.length;
        const nickField = Buffer.concat([Buffer.from([n]), bad]);
        const datagrams = [
          Buffer.concat([h('55430101'), Buffer.alloc(16), CLIENT_ID, Buffer.alloc(8), h('00000000' + '0000'), nickField]),
          Buffer.concat([h('55430102'), TOKEN, h('00000001' + '00'), Buffer.from([0, n]), bad]),
          Buffer.concat([h('55430182'), CLIENT_ID, TOKEN, INSTANCE, h('00000001' + '00000000' + '00000000' + '00001388' + '00007530' + '03e8' + '0000'), nickField]),
          Buffer.concat([h('55430183'), h('00000001' + '01' + '02' + '019b76daa800'), nickField]),
          Buffer.concat([h('55430183'), h('00000001' + '01' + '01' + '019b76daa800' + '0161' + '00'), Buffer.from([0, n]), bad]),
          Buffer.concat([h('55430187'), h('00000001' + '0000' + '0001' + '01'), nickField]),
          Buffer.concat([h('55430189'), TOKEN, h('0005' + '00000000'), Buffer.from([n]), bad]),
        ];
        for (const d of datagrams) expectProtocolError(() => decode(seal(d)), 'UDPCHAT_ERR_BAD_UTF8');
      }
    });

    it('raises UDPCHAT_ERR_BAD_UTF8 when encoding a lone surrogate in a nick, text or detail', () => {
      expectLocalError(() => encode({ type: 'join', cookie: TOKEN, clientId: CLIENT_ID, resumeInstance: INSTANCE, resumeSeq: 0, caps: 0, nick: '\uDC00' }), 'UDPCHAT_ERR_BAD_UTF8');
      expectLocalError(() => encode({ type: 'data', entries: [{ kind: 'msg', seq: 1, time: 0, nick: 'a', target: 0, text: 'x\uD83D' }] }), 'UDPCHAT_ERR_BAD_UTF8');
      expectLocalError(() => encode({ type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_FLOODING', arg: 0, detail: '\uD800' }), 'UDPCHAT_ERR_BAD_UTF8');
    });

    it('raises UDPCHAT_ERR_BAD_FIELD for each range rule of §4.7', () => {
      const names = invalid.filter((i) => i.code === 'UDPCHAT_ERR_BAD_FIELD').map((i) => i.name);
      expect(names.length).to.be.at.least(10);
      const edits: Array<[string, string, (b: Buffer) => void]> = [
        ['historyFrom 0', 'welcome', (b) => b.writeUInt32BE(0, 44)],
        ['idleTimeoutMs 0', 'welcome', (b) => b.writeUInt32BE(0, 60)],
        ['heartbeatMs 0', 'welcome', (b) => b.writeUInt32BE(0, 56)],
        ['firstSeq 0', 'data-one-msg', (b) => b.writeUInt32BE(0, 4)],
        ['entry nickLen 0', 'data-one-msg', (b) => (b[16] = 0)],
        ['leave reason 4 (the last byte before the trailer)', 'data-all-kinds', (b) => (b[b.length - 1] = 4)],
        ['nickLen 65', 'roster', (b) => (b[13] = 65)],
        ['wire code 99', 'error', (b) => b.writeUInt16BE(99, 20)],
        ['NACK from 0', 'nack', (b) => b.writeUInt32BE(0, 20)],
        ['BYE reason 5', 'bye', (b) => (b[20] = 5)],
        ['RSAY cseq 0', 'rsay', (b) => b.writeUInt32BE(0, 20)],
        ['CMD cseq 0', 'cmd-msg', (b) => b.writeUInt32BE(0, 20)],
        ['CMD op 0', 'cmd-msg', (b) => (b[24] = 0)],
        ['CMD nameLen 65', 'cmd-msg', (b) => (b[29] = 65)],
        ['RNACK from 0', 'rnack', (b) => b.writeUInt32BE(0, 24)],
        ['RNACK to < from', 'rnack', (b) => b.writeUInt32BE(11, 28)],
        ['RDATA firstSeq 0', 'rdata-room-kinds', (b) => b.writeUInt32BE(0, 8)],
        ['RDATA count 0', 'rdata-room-kinds', (b) => (b[12] = 0)],
        ['RDATA past seq 2^32-1', 'rdata-room-kinds', (b) => b.writeUInt32BE(U32_MAX, 8)],
        ['rename flags 2', 'rdata-lobby-rename', (b) => (b[25] = 2)],
        ['away flags 2', 'rdata-room-kinds', (b) => (b[b.length - 10] = 2)],
        ['a back entry with a reason', 'rdata-room-kinds', (b) => (b[b.length - 10] = 0)],
        ['ROOMINFO historyFrom 0', 'roominfo', (b) => b.writeUInt32BE(0, 31)],
        ['ROOMINFO historyFrom > lastSeq + 1', 'roominfo', (b) => b.writeUInt32BE(21, 31)],
        ['ROOMINFO index = total', 'roominfo', (b) => b.writeUInt16BE(1, 35)],
        ['ROOMINFO nameLen 0', 'roominfo', (b) => (b[39] = 0)],
        ['RROSTER page = pages', 'rroster', (b) => b.writeUInt16BE(1, 12)],
        ['RROSTER member flags 2', 'rroster', (b) => (b[17] = 2)],
      ];
      for (const [what, name, edit] of edits) {
        const bad = edited(example(name), edit);
        expect(() => decode(bad), what).to.throw(ProtocolError).with.property('code', 'UDPCHAT_ERR_BAD_FIELD');
        // The same edit made in transit, without a new trailer, never reaches the field check.
        const damaged = Buffer.concat([unsealed(bad), example(name).subarray(-CHECKSUM_BYTES)]);
        expectProtocolError(() => decode(damaged), 'UDPCHAT_ERR_BAD_CHECKSUM');
      }
    });

    for (const [code, n] of Object.entries(WIRE_ERROR_CODES) as Array<[WireErrorCode, number]>) {
      it(`carries ${code} as wire number ${n} in an ERROR`, () => {
        const m: Message = { type: 'error', ref: TOKEN, code, arg: 42, detail: ERROR_DESCRIPTIONS[code].slice(0, 200) };
        const bytes = encode(m);
        expect(bytes.readUInt16BE(20)).to.equal(n);
        expect(decode(bytes)).to.deep.equal(m);
      });
    }

    it('gives a ProtocolError the description of its code as message by default', () => {
      const err = new ProtocolError('UDPCHAT_ERR_TRUNCATED');
      expect(err.message).to.equal(ERROR_DESCRIPTIONS.UDPCHAT_ERR_TRUNCATED);
      expect(err.name).to.equal('ProtocolError');
    });

    it('gives a LocalError the description of its code as message by default, and is no ProtocolError', () => {
      const err = new LocalError('UDPCHAT_ERR_NOT_JOINED');
      expect(err.message).to.equal(ERROR_DESCRIPTIONS.UDPCHAT_ERR_NOT_JOINED);
      expect(err.name).to.equal('LocalError');
      expect(err).to.be.instanceOf(Error).and.not.to.be.instanceOf(ProtocolError);
      expect(new ProtocolError('UDPCHAT_ERR_TRUNCATED')).not.to.be.instanceOf(LocalError);
    });
  });

  describe('the CRC-32 trailer (§2) and UDPCHAT_ERR_BAD_CHECKSUM', () => {
    const fixtures = [...examples.map((e) => ({ name: e.name, bytes: e.bytes })), ...invalid.map((i) => ({ name: i.name, bytes: i.bytes }))];

    it('is the IEEE CRC-32 of zlib: check value 0xCBF43926, and the same as zlib.crc32', () => {
      expect(crc32(Buffer.from('123456789', 'ascii'))).to.equal(0xcbf4_3926);
      for (const ex of examples) expect(crc32(unsealed(ex.bytes))).to.equal(zlibCrc32(unsealed(ex.bytes)));
      expect(CHECKSUM_BYTES).to.equal(4);
    });

    it('is written big-endian: the same CRC little-endian is BAD_CHECKSUM', () => {
      for (const ex of examples) {
        const crc = ex.bytes.readUInt32BE(ex.bytes.length - 4);
        const le = Buffer.from(ex.bytes);
        le.writeUInt32LE(crc, le.length - 4);
        if (!le.equals(ex.bytes)) expectProtocolError(() => decode(le), 'UDPCHAT_ERR_BAD_CHECKSUM');
      }
    });

    it('refuses every single-bit flip of every fixture: BAD_MAGIC or BAD_VERSION in bytes 0–2, else BAD_CHECKSUM', () => {
      let flips = 0;
      for (const fx of fixtures) {
        for (let at = 0; at < fx.bytes.length; at++) {
          for (let bit = 0; bit < 8; bit++) {
            const b = Buffer.from(fx.bytes);
            b[at] = (b[at] as number) ^ (1 << bit);
            flips++;
            const expected = earlyFailure(b);
            if (expected === undefined) {
              // A flip can only repair a fixture that was one flip away from an example.
              const same = exampleEqualTo(b);
              expect(same, `${fx.name}: byte ${at} bit ${bit} gives a datagram with a matching trailer`).to.not.equal(undefined);
              expect(fx.name).to.equal('bad-checksum');
              continue;
            }
            const where = `${fx.name}: byte ${at} bit ${bit}`;
            let caught: unknown;
            try {
              decode(b);
            } catch (err) {
              caught = err;
            }
            expect(caught, `${where} must be refused`).to.be.instanceOf(ProtocolError);
            expect((caught as ProtocolError).code, where).to.equal(expected);
          }
        }
      }
      expect(flips).to.be.above(8 * 1000);
    });

    it('refuses every example with any one byte replaced by any other value (the corruption of TESTING.md)', () => {
      const wrong: string[] = [];
      const stackTraceLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0; // some 200 000 refusals: spare the stack traces
      try {
        for (const ex of examples) {
          for (let at = 0; at < ex.bytes.length; at++) {
            const expected: ErrorCode = at < 2 ? 'UDPCHAT_ERR_BAD_MAGIC' : at === 2 ? 'UDPCHAT_ERR_BAD_VERSION' : 'UDPCHAT_ERR_BAD_CHECKSUM';
            const b = Buffer.from(ex.bytes);
            for (let v = 0; v < 256; v++) {
              if (v === ex.bytes[at]) continue;
              b[at] = v;
              let got = 'accepted';
              try {
                decode(b);
              } catch (err) {
                got = err instanceof ProtocolError ? err.code : String(err);
              }
              if (got !== expected) wrong.push(`${ex.name} byte ${at} = ${v}: ${got}, expected ${expected}`);
            }
          }
        }
      } finally {
        Error.stackTraceLimit = stackTraceLimit;
      }
      expect(wrong.slice(0, 10)).to.deep.equal([]);
    });

    it('refuses every example cut short or lengthened in transit (trailer not recomputed) with BAD_CHECKSUM', () => {
      for (const ex of examples) {
        for (let n = HEADER_BYTES + CHECKSUM_BYTES; n < ex.bytes.length; n++) expectProtocolError(() => decode(ex.bytes.subarray(0, n)), 'UDPCHAT_ERR_BAD_CHECKSUM');
        for (const extra of [h('00'), h('ff'), ex.bytes.subarray(-4), Buffer.alloc(40)]) {
          expectProtocolError(() => decode(Buffer.concat([ex.bytes, extra])), 'UDPCHAT_ERR_BAD_CHECKSUM');
        }
        // A byte lost or duplicated in the middle.
        for (let at = HEADER_BYTES; at < ex.bytes.length; at++) {
          expectProtocolError(() => decode(Buffer.concat([ex.bytes.subarray(0, at), ex.bytes.subarray(at + 1)])), ex.bytes.length - 1 < 8 ? 'UDPCHAT_ERR_TRUNCATED' : 'UDPCHAT_ERR_BAD_CHECKSUM');
          expectProtocolError(() => decode(Buffer.concat([ex.bytes.subarray(0, at + 1), ex.bytes.subarray(at)])), 'UDPCHAT_ERR_BAD_CHECKSUM');
        }
      }
    });

    it('checks the trailer before the type and before any field (§4.7 step 5)', () => {
      // An undefined type with a wrong trailer, and fields that would fail, all fail the checksum first.
      expectProtocolError(() => decode(h('5543017f0001020300000000')), 'UDPCHAT_ERR_BAD_CHECKSUM');
      for (const iv of invalid) {
        if (!trailerMatches(iv.bytes) || iv.bytes.length < 8) continue;
        if (['UDPCHAT_ERR_BAD_MAGIC', 'UDPCHAT_ERR_BAD_VERSION'].includes(iv.code)) continue;
        const damaged = Buffer.from(iv.bytes);
        damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 0x80;
        expectProtocolError(() => decode(damaged), 'UDPCHAT_ERR_BAD_CHECKSUM');
      }
    });

    it('refuses any error burst of up to 32 bits in any example (seeded)', () => {
      const burst = fc.record({
        fixture: fc.constantFrom(...examples.map((e) => e.bytes)),
        start: fc.nat(),
        length: fc.integer({ min: 1, max: 32 }),
        pattern: fc.integer({ min: 0, max: U32_MAX }),
      });
      checkProperty(
        fc.property(burst, ({ fixture, start, length, pattern }) => {
          const totalBits = fixture.length * 8;
          const first = start % (totalBits - length + 1);
          // A burst of `length` bits: first and last bit flipped, any pattern in between.
          const bits = length === 1 ? 1n : (1n << BigInt(length - 1)) | 1n | ((BigInt(pattern) << 1n) & ((1n << BigInt(length - 1)) - 1n));
          const b = Buffer.from(fixture);
          for (let i = 0; i < length; i++) {
            if (((bits >> BigInt(i)) & 1n) === 1n) {
              const bit = first + i;
              b[bit >> 3] = (b[bit >> 3] as number) ^ (0x80 >> (bit & 7));
            }
          }
          const expected = earlyFailure(b);
          expect(expected, 'CRC-32 detects every burst of ≤ 32 bits').to.not.equal(undefined);
          expectProtocolError(() => decode(b), expected as ErrorCode);
        }),
        5_000,
      );
    });
  });

  describe('docs/protocol.md', () => {
    const section7 = docSection(DOC, 7);
    const rows = new Map<string, { wire: string; description: string }>();
    for (const line of section7.split('\n')) {
      const m = /^\|\s*`(UDPCHAT_ERR_[A-Z0-9_]+)`\s*\|\s*([^|]+?)\s*\|\s*(.+?)\s*\|\s*$/.exec(line);
      if (m !== null) rows.set(m[1] as string, { wire: m[2] as string, description: m[3] as string });
    }

    for (const [code, description] of Object.entries(ERROR_DESCRIPTIONS) as Array<[ErrorCode, string]>) {
      it(`documents ${code} in §7 with its wire number and its description verbatim`, () => {
        const row = rows.get(code);
        expect(row, `a row for ${code} in §7`).to.not.equal(undefined);
        expect(row?.description).to.equal(description);
        const wire = (WIRE_ERROR_CODES as Record<string, number>)[code];
        expect(row?.wire).to.equal(wire === undefined ? 'local' : String(wire));
      });
    }

    it('documents no code in §7 that error-codes.ts does not define', () => {
      for (const code of rows.keys()) expect(ERROR_DESCRIPTIONS).to.have.property(code);
    });

    it('lists every opcode in §3 with the number the codec uses', () => {
      const section3 = docSection(DOC, 3);
      for (const [type, op] of Object.entries(OPCODES) as Array<[MessageType, number]>) {
        const hex = `0x${op.toString(16).padStart(2, '0').toUpperCase()}`;
        expect(section3, `${type} as ${hex}`).to.match(new RegExp(`^\\| \`${hex}\` \\| [^|]+ \\| ${type.toUpperCase()} \\|`, 'm'));
      }
    });

    it('names every protocol default in §2', () => {
      const section2 = docSection(DOC, 2);
      for (const key of Object.keys(DEFAULTS)) expect(section2).to.include(`\`${key}\``);
    });

    it('lists every limit of constants.ts in the §2 table with its value (CHECKSUM_BYTES included)', () => {
      const section2 = docSection(DOC, 2);
      const limits = ['MAX_DATAGRAM', 'MAX_TEXT_BYTES', 'MAX_NICK_BYTES', 'MAX_NICK_CHARS', 'MAX_DETAIL_BYTES', 'TOKEN_BYTES', 'CLIENT_ID_BYTES', 'COOKIE_BYTES', 'INSTANCE_BYTES', 'MAX_ENTRIES', 'HEADER_BYTES', 'CHECKSUM_BYTES', 'DEFAULT_PORT'] as const;
      for (const name of limits) {
        const row = section2.split('\n').find((line) => /^\| [^|]*`/.test(line) && (line.split('|')[1] ?? '').includes(`\`${name}\``));
        expect(row, `a §2 row for ${name}`).to.not.equal(undefined);
        expect(row?.split('|')[2]?.trim(), name).to.equal(String(constants[name]));
      }
    });

    it('gives in §3 the size range the codec produces for every type', () => {
      const section3 = docSection(DOC, 3);
      const nick64 = 'x'.repeat(64);
      const entry: Entry = { kind: 'join', seq: 1, time: 0, nick: 'a' };
      const extremes: Record<MessageType, [Message, Message | number]> = {
        join: [{ type: 'join', cookie: TOKEN, clientId: CLIENT_ID, resumeInstance: INSTANCE, resumeSeq: 0, caps: 0, nick: 'a' }, { type: 'join', cookie: TOKEN, clientId: CLIENT_ID, resumeInstance: INSTANCE, resumeSeq: 0, caps: 0, nick: nick64 }],
        say: [{ type: 'say', token: TOKEN, cseq: 1, target: 0, text: '' }, MAX_DATAGRAM],
        ping: [{ type: 'ping', token: TOKEN, delivered: 0, echo: 0 }, 0],
        nack: [{ type: 'nack', token: TOKEN, from: 1, to: 1 }, 0],
        who: [{ type: 'who', token: TOKEN, page: 0 }, 0],
        leave: [{ type: 'leave', token: TOKEN }, 0],
        cookie: [{ type: 'cookie', clientId: CLIENT_ID, cookie: TOKEN }, 0],
        welcome: [
          { type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: INSTANCE, historyFrom: 1, baseSeq: 0, ackedCseq: 0, heartbeatMs: 1, idleTimeoutMs: 1, maxText: 0, caps: 0, nick: 'a' },
          { type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: INSTANCE, historyFrom: 1, baseSeq: 0, ackedCseq: 0, heartbeatMs: 1, idleTimeoutMs: 1, maxText: 0, caps: 0, nick: nick64 },
        ],
        data: [{ type: 'data', entries: [entry] }, MAX_DATAGRAM],
        ack: [{ type: 'ack', token: TOKEN, cseq: 0 }, 0],
        sync: [{ type: 'sync', lastSeq: 0 }, 0],
        pong: [{ type: 'pong', lastSeq: 0, echo: 0 }, 0],
        roster: [{ type: 'roster', asOfSeq: 0, page: 0, pages: 1, nicks: [] }, MAX_DATAGRAM],
        bye: [{ type: 'bye', token: TOKEN, reason: 'quit' }, 0],
        discover: [{ type: 'discover', nonce: TOKEN }, 0],
        whois: [{ type: 'whois', token: TOKEN, nick: 'a' }, { type: 'whois', token: TOKEN, nick: nick64 }],
        history: [{ type: 'history', token: TOKEN, before: 1, count: 1 }, 0],
        page: [{ type: 'page', token: TOKEN, before: 1, oldest: true, gone: false, entries: [] }, MAX_DATAGRAM],
        owner: [
          { type: 'owner', token: TOKEN, bound: false, online: false, lastUsed: 0, key: Buffer.alloc(32), nick: 'a' },
          { type: 'owner', token: TOKEN, bound: false, online: false, lastUsed: 0, key: Buffer.alloc(32), nick: nick64 },
        ],
        offer: [
          { type: 'offer', nonce: TOKEN, protocol: 1, port: 1, users: 0, passphrase: false, name: 'a' },
          { type: 'offer', nonce: TOKEN, protocol: 1, port: 1, users: 0, passphrase: false, name: 'x'.repeat(63) },
        ],
        error: [
          { type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_FLOODING', arg: 0, detail: '' },
          { type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_FLOODING', arg: 0, detail: 'x'.repeat(200) },
        ],
        rsay: [{ type: 'rsay', token: TOKEN, cseq: 1, roomId: 0, action: false, text: '' }, MAX_DATAGRAM],
        cmd: [{ type: 'cmd', token: TOKEN, cseq: 1, op: 'back', roomId: 0, name: '', text: '' }, MAX_DATAGRAM],
        rnack: [{ type: 'rnack', token: TOKEN, roomId: 0, from: 1, to: 1 }, 0],
        rwho: [{ type: 'rwho', token: TOKEN, roomId: 0, page: 0 }, 0],
        rdata: [{ type: 'rdata', roomId: 0, entries: [entry] }, MAX_DATAGRAM],
        rsync: [{ type: 'rsync', roomId: 0, lastSeq: 0 }, 0],
        rstate: [{ type: 'rstate', streams: [] }, { type: 'rstate', streams: Array.from({ length: 148 }, () => ({ roomId: 1, lastSeq: 1 })) }],
        roominfo: [{ type: 'roominfo', token: TOKEN, roomId: 0, kind: 'room', members: 0, lastSeq: 0, historyFrom: 1, index: 0, total: 1, name: 'a', topic: '' }, MAX_DATAGRAM],
        rroster: [{ type: 'rroster', roomId: 0, asOfSeq: 0, page: 0, pages: 1, members: [] }, MAX_DATAGRAM],
      };
      for (const [type, [min, max]] of Object.entries(extremes) as Array<[MessageType, [Message, Message | number]]>) {
        const lo = encode(min).length;
        const hi = typeof max === 'number' ? max : encode(max).length;
        const size = hi === 0 ? `${lo} \\|` : `${lo}–${hi} \\(`;
        expect(section3, `${type}: ${size}`).to.match(new RegExp(`^\\| \`0x[0-9A-F]{2}\` \\| [^|]+ \\| ${type.toUpperCase()} \\| ${size}`, 'm'));
      }
    });
  });

  describe('properties (seeded; replay with FC_SEED)', () => {
    const headerOf = (type: number): Buffer => Buffer.from([0x55, 0x43, 0x01, type]);
    const anyType = fc.oneof(fc.constantFrom(...Object.values(OPCODES)), fc.integer({ min: 0, max: 255 }));

    it('decodes random bytes (up to 1300) to a message or throws ProtocolError, nothing else', () => {
      checkProperty(fc.property(fc.uint8Array({ maxLength: 1300 }), decodesOrRefuses), 10_000);
    });

    it('decodes random bodies behind a valid header and a matching trailer to a message or throws ProtocolError, nothing else', () => {
      // The trailer is computed for each body, so that the body decoder (not the checksum) is exercised.
      const body = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 1292 }));
      checkProperty(
        fc.property(anyType, body, (t, b) => decodesOrRefuses(seal(Buffer.concat([headerOf(t), b])))),
        20_000,
      );
    });

    it('decodes random bodies behind a valid header and a random trailer: refused, and with BAD_CHECKSUM unless the trailer matches', () => {
      const body = fc.uint8Array({ maxLength: 1292 });
      checkProperty(
        fc.property(anyType, body, fc.uint8Array({ minLength: 4, maxLength: 4 }), (t, b, trailer) => {
          const d = Buffer.concat([headerOf(t), b, trailer]);
          if (trailerMatches(d) || d.length > MAX_DATAGRAM) return decodesOrRefuses(d);
          expectProtocolError(() => decode(d), 'UDPCHAT_ERR_BAD_CHECKSUM');
        }),
        5_000,
      );
    });

    it('never accepts a fixture damaged in transit (mutated, trailer kept): refused by the checks before the body', () => {
      const fixtures = [...examples.map((e) => e.bytes), ...invalid.map((i) => i.bytes)];
      checkProperty(
        fc.property(fc.constantFrom(...fixtures), fc.array(mutation, { minLength: 1, maxLength: 4 }), (bytes, ms) => {
          const b = mutate(bytes, ms);
          if (b.equals(bytes) || exampleEqualTo(b) !== undefined) return decodesOrRefuses(b);
          const expected = earlyFailure(b);
          expect(expected, 'a damaged datagram must fail a check before its body is read').to.not.equal(undefined);
          expectProtocolError(() => decode(b), expected as ErrorCode);
        }),
        20_000,
      );
    });

    it('decodes mutated fixture bodies behind a matching trailer to a message that re-encodes within 1200 bytes, or throws ProtocolError', () => {
      // Mutate header and body, then seal again: what a faulty or hostile encoder could send.
      const bodies = [...examples.map((e) => e.bytes), ...invalid.map((i) => i.bytes)].map((b) => (b.length >= HEADER_BYTES + CHECKSUM_BYTES ? unsealed(b) : b));
      checkProperty(
        fc.property(fc.constantFrom(...bodies), fc.array(mutation, { minLength: 1, maxLength: 4 }), (body, ms) => decodesOrRefuses(seal(mutate(body, ms)))),
        20_000,
      );
    });

    it('sizes every type exactly: the size(m) of its table entry is the length encode(m) produces (or refuses past 1200 bytes)', () => {
      const seen = new Set<MessageType>();
      checkProperty(
        fc.property(arbMessage, (m) => {
          seen.add(m.type);
          const size = CODECS[m.type].size(m as never);
          if (size > MAX_DATAGRAM) return expectLocalError(() => encode(m), 'UDPCHAT_ERR_OVERSIZE');
          expect(encode(m).length, m.type).to.equal(size);
        }),
        5_000,
      );
      expect([...seen].sort()).to.deep.equal(Object.keys(OPCODES).sort());
    });

    it('has one table entry, with size, write and read, for every opcode and no other', () => {
      expect(Object.keys(CODECS).sort()).to.deep.equal(Object.keys(OPCODES).sort());
      for (const entry of Object.values(CODECS)) expect(Object.keys(entry).sort()).to.deep.equal(['read', 'size', 'write']);
    });

    it('decodes a PAGE head (before, flags, count) exactly when the rules of §4.7 hold, and HISTORY exactly when before ≥ 1 and count ≥ 1', () => {
      const rulesHold = (before: number, flags: number, count: number): boolean =>
        before >= 1 && (flags & ~3) === 0 && ((flags & 2) === 0 || (flags & 1) !== 0) && count <= before - 1 && (count > 0 || (flags & 1) !== 0) && (before - count !== 1 || flags === 1);
      const smallSeq = fc.oneof(fc.integer({ min: 0, max: 6 }), u32);
      checkProperty(
        fc.property(smallSeq, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 4 }), (before, flags, count) => {
          const head = Buffer.alloc(4 + 16 + 4 + 1 + 1);
          head.set([0x55, 0x43, 0x01, 0x8b]);
          TOKEN.copy(head, 4);
          head.writeUInt32BE(before, 20);
          head[24] = flags;
          head[25] = count;
          const entries = Array.from({ length: count }, () => encodeEntry({ kind: 'join', seq: 1, time: T0, nick: 'a' }));
          const bytes = seal(Buffer.concat([head, ...entries]));
          if (rulesHold(before, flags, count)) {
            const m = decode(bytes) as Extract<Message, { type: 'page' }>;
            expect(m.entries.map((e) => e.seq)).to.deep.equal(Array.from({ length: count }, (_, i) => before - count + i));
            expect(encode(m).equals(bytes)).to.equal(true);
          } else {
            expectProtocolError(() => decode(bytes), 'UDPCHAT_ERR_BAD_FIELD');
          }
        }),
        3_000,
      );
      checkProperty(
        fc.property(smallSeq, fc.integer({ min: 0, max: 255 }), (before, count) => {
          const body = Buffer.alloc(4 + 16 + 4 + 1);
          body.set([0x55, 0x43, 0x01, 0x08]);
          body.writeUInt32BE(before, 20);
          body[24] = count;
          const bytes = seal(body);
          if (before >= 1 && count >= 1) expect(decode(bytes)).to.deep.include({ type: 'history', before, count });
          else expectProtocolError(() => decode(bytes), 'UDPCHAT_ERR_BAD_FIELD');
        }),
        1_000,
      );
    });

    it('round-trips arbitrary valid messages, and refuses with OVERSIZE exactly those over 1200 bytes', () => {
      checkProperty(
        fc.property(arbMessage, (m) => {
          const size = expectedSize(m);
          if (size > MAX_DATAGRAM) return expectLocalError(() => encode(m), 'UDPCHAT_ERR_OVERSIZE');
          const bytes = encode(m);
          expect(bytes.length).to.equal(size);
          expect(trailerMatches(bytes), 'trailer').to.equal(true);
          expect(peekType(bytes)).to.equal(m.type);
          expect(decode(bytes)).to.deep.equal(m);
        }),
        5_000,
      );
    });
  });
});
