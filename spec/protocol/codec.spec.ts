/**
 * The codec against its contract: the fixtures in docs/protocol.md §10, the size and range rules of
 * §3–§4, the error codes of §7, and seeded random/mutation loops (fast-check; a failure prints the
 * seed, replay it with FC_SEED=<seed>).
 */
import { expect } from 'chai';
import fc, { type Arbitrary, type IProperty } from 'fast-check';
import { decode, encode, encodeData, OPCODES, peekType } from '../../lib/protocol/codec.js';
import { DEFAULTS, MAX_DATAGRAM } from '../../lib/protocol/constants.js';
import { encodeEntry } from '../../lib/protocol/entry-codec.js';
import { ERROR_DESCRIPTIONS, WIRE_ERROR_CODES, type ErrorCode, type WireErrorCode } from '../../lib/protocol/error-codes.js';
import type { Entry, LeaveReason, Message, MessageType } from '../../lib/protocol/messages.js';
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

function example(name: string): Buffer {
  const found = examples.find((e) => e.name === name);
  if (found === undefined) throw new Error(`docs/protocol.md has no example ${name}`);
  return Buffer.from(found.bytes);
}

/** Size of a message by the formulas of docs/protocol.md §3–§4, computed independently of the codec. */
function expectedSize(m: Message): number {
  const b = (s: string): number => Buffer.byteLength(s, 'utf8');
  switch (m.type) {
    case 'join':
      return 51 + b(m.nick);
    case 'say':
      return 27 + b(m.text);
    case 'ping':
    case 'nack':
      return 28;
    case 'who':
      return 22;
    case 'leave':
      return 20;
    case 'cookie':
      return 36;
    case 'welcome':
      return 69 + b(m.nick);
    case 'data':
      return m.entries.reduce((n, e) => n + 8 + b(e.nick) + (e.kind === 'msg' ? 3 + b(e.text) : e.kind === 'leave' ? 1 : 0), 9);
    case 'ack':
      return 24;
    case 'sync':
      return 8;
    case 'pong':
      return 12;
    case 'roster':
      return m.nicks.reduce((n, s) => n + 1 + b(s), 13);
    case 'bye':
      return 21;
    case 'error':
      return 27 + b(m.detail);
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
const time = fc.integer({ min: 0, max: 2 ** 48 - 1 });
const wireCode = fc.constantFrom(...(Object.keys(WIRE_ERROR_CODES) as WireErrorCode[]));

type EntryBody = Entry extends infer E ? (E extends Entry ? Omit<E, 'seq'> : never) : never;
const entryBody: Arbitrary<EntryBody> = fc.oneof(
  fc.record({ kind: fc.constant('msg' as const), time, nick, target: fc.integer({ min: 0, max: 255 }), text }),
  fc.record({ kind: fc.constant('join' as const), time, nick }),
  fc.record({ kind: fc.constant('leave' as const), time, nick, reason }),
);

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
  fc.record({ type: fc.constant('bye' as const), token, reason }),
  fc.record({ type: fc.constant('error' as const), ref: token, code: wireCode, arg: u32, detail: withinBytes(200, 80) }),
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
      for (const c of ['BAD_MAGIC', 'BAD_VERSION', 'UNKNOWN_TYPE', 'TRUNCATED', 'TRAILING_BYTES', 'BAD_UTF8', 'BAD_FIELD']) {
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
      ['a SAY of exactly 1200 bytes', { type: 'say', token: TOKEN, cseq: 5, target: 0, text: 'x'.repeat(1173) }],
      ['a SAY of exactly 1200 bytes of two-byte letters', { type: 'say', token: TOKEN, cseq: 6, target: 0, text: 'я'.repeat(586) + '!' }],
      ['a PING with extreme values', { type: 'ping', token: TOKEN, delivered: U32_MAX, echo: 0 }],
      ['a NACK of one seq', { type: 'nack', token: TOKEN, from: 7, to: 7 }],
      ['a NACK of the whole range', { type: 'nack', token: TOKEN, from: 1, to: U32_MAX }],
      ['a WHO for the last page', { type: 'who', token: TOKEN, page: 0xffff }],
      ['a LEAVE', { type: 'leave', token: TOKEN }],
      ['a COOKIE', { type: 'cookie', clientId: CLIENT_ID, cookie: TOKEN }],
      ['a WELCOME at the end of the sequence space', { type: 'welcome', clientId: CLIENT_ID, token: TOKEN, instance: INSTANCE, historyFrom: U32_MAX, baseSeq: U32_MAX, ackedCseq: U32_MAX, heartbeatMs: 1, idleTimeoutMs: U32_MAX, maxText: 0xffff, caps: 0xffff, nick: maxNick }],
      ['a DATA of 132 join entries (1197 bytes)', { type: 'data', entries: Array.from({ length: 132 }, (_, i): Entry => ({ kind: 'join', seq: 1 + i, time: T0, nick: 'a' })) }],
      ['a DATA ending at seq 2^32-1', { type: 'data', entries: [{ kind: 'leave', seq: U32_MAX - 1, time: 0, nick: 'a', reason: 'flooding' }, { kind: 'msg', seq: U32_MAX, time: 2 ** 48 - 1, nick: maxNick, target: 0, text: 'y'.repeat(1000) }] }],
      ['a ROSTER of 255 nicks', { type: 'roster', asOfSeq: 9, page: 0, pages: 1, nicks: Array.from({ length: 255 }, (_, i) => String.fromCodePoint(0x4e00 + i)) }],
      ['an empty ROSTER page', { type: 'roster', asOfSeq: 0, page: 0xfffe, pages: 0xffff, nicks: [] }],
      ['a ROSTER page of 18 longest nicks', { type: 'roster', asOfSeq: 1, page: 0, pages: 1, nicks: Array.from({ length: 18 }, () => maxNick) }],
      ['a BYE for each reason', { type: 'bye', token: TOKEN, reason: 'shutdown' }],
      ['an ERROR with the longest detail', { type: 'error', ref: CLIENT_ID, code: 'UDPCHAT_ERR_NICK_INVALID', arg: U32_MAX, detail: 'д'.repeat(100) }],
    ];
    for (const [name, m] of cases) {
      it(`round-trips ${name}`, () => {
        const bytes = encode(m);
        expect(bytes.length).to.equal(expectedSize(m)).and.to.be.at.most(MAX_DATAGRAM);
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
    });

    it('accepts a SAY of exactly 1200 bytes and refuses one of 1201 with OVERSIZE', () => {
      const ok = encode({ type: 'say', token: TOKEN, cseq: 1, target: 0, text: 'x'.repeat(1173) });
      expect(ok.length).to.equal(1200);
      expect(decode(ok)).to.include({ type: 'say' });
      expectProtocolError(() => encode({ type: 'say', token: TOKEN, cseq: 1, target: 0, text: 'x'.repeat(1174) }), 'UDPCHAT_ERR_OVERSIZE');
      expectProtocolError(() => decode(Buffer.concat([ok, Buffer.from([0x78])])), 'UDPCHAT_ERR_OVERSIZE');
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
      ['text of 1174 bytes', say({ text: 'x'.repeat(1174) }), 'UDPCHAT_ERR_OVERSIZE'],
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
      ['a DATA of 133 join entries (1206 bytes)', { type: 'data', entries: Array.from({ length: 133 }, (_, i): Entry => ({ kind: 'join', seq: 1 + i, time: 0, nick: 'a' })) }, 'UDPCHAT_ERR_OVERSIZE'],
      ['a DATA of 256 entries', { type: 'data', entries: Array.from({ length: 256 }, (_, i): Entry => ({ kind: 'join', seq: 1 + i, time: 0, nick: 'a' })) }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an entry time of 2^48', { type: 'data', entries: [{ kind: 'join', seq: 1, time: 2 ** 48, nick: 'a' }] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an unknown leave reason', { type: 'bye', token: TOKEN, reason: 'bored' as LeaveReason }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a ROSTER page equal to pages', { type: 'roster', asOfSeq: 1, page: 1, pages: 1, nicks: [] }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a ROSTER of 256 nicks', { type: 'roster', asOfSeq: 1, page: 0, pages: 1, nicks: Array.from({ length: 256 }, () => 'a') }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['a ROSTER of 19 longest nicks', { type: 'roster', asOfSeq: 1, page: 0, pages: 1, nicks: Array.from({ length: 19 }, () => 'x'.repeat(64)) }, 'UDPCHAT_ERR_OVERSIZE'],
      ['an ERROR with a local code', { type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_TRUNCATED' as WireErrorCode, arg: 0, detail: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an ERROR with a 201-byte detail', { type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_FLOODING', arg: 0, detail: 'x'.repeat(201) }, 'UDPCHAT_ERR_BAD_FIELD'],
      ['an ERROR with a negative arg', { type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_FLOODING', arg: -1, detail: '' }, 'UDPCHAT_ERR_BAD_FIELD'],
    ];
    for (const [name, m, code] of bad) {
      it(`refuses ${name} with ${code}`, () => {
        expectProtocolError(() => encode(m), code);
      });
    }
  });

  describe('error codes raised by the codec', () => {
    it('raises UDPCHAT_ERR_BAD_MAGIC for anything but "UC" in the first two bytes', () => {
      for (const head of ['0043', '5500', '4355', 'ffff']) expectProtocolError(() => decode(h(`${head}018500000001`)), 'UDPCHAT_ERR_BAD_MAGIC');
    });

    it('raises UDPCHAT_ERR_BAD_VERSION for every version but 1', () => {
      for (let v = 0; v < 256; v++) {
        if (v !== 1) expectProtocolError(() => decode(Buffer.from([0x55, 0x43, v, 0x85, 0, 0, 0, 1])), 'UDPCHAT_ERR_BAD_VERSION');
      }
    });

    it('raises UDPCHAT_ERR_UNKNOWN_TYPE for every type byte §3 does not define', () => {
      const defined = new Set(Object.values(OPCODES));
      for (let t = 0; t < 256; t++) {
        if (!defined.has(t)) {
          expectProtocolError(() => decode(Buffer.from([0x55, 0x43, 0x01, t, 0, 0, 0, 1])), 'UDPCHAT_ERR_UNKNOWN_TYPE');
          expect(peekType(Buffer.from([0x55, 0x43, 0x01, t]))).to.equal(undefined);
        }
      }
    });

    it('raises UDPCHAT_ERR_TRUNCATED for every proper prefix of every example', () => {
      for (const ex of examples) {
        for (let n = 0; n < ex.bytes.length; n++) expectProtocolError(() => decode(ex.bytes.subarray(0, n)), 'UDPCHAT_ERR_TRUNCATED');
      }
    });

    it('raises UDPCHAT_ERR_OVERSIZE for 1201 to 65507 bytes before looking at them', () => {
      for (const n of [1201, 1500, 65507]) {
        expectProtocolError(() => decode(Buffer.alloc(n)), 'UDPCHAT_ERR_OVERSIZE');
        expectProtocolError(() => decode(Buffer.concat([example('sync'), Buffer.alloc(n - 8)])), 'UDPCHAT_ERR_OVERSIZE');
      }
    });

    it('raises UDPCHAT_ERR_TRAILING_BYTES for every example with a byte appended', () => {
      for (const ex of examples) expectProtocolError(() => decode(Buffer.concat([ex.bytes, Buffer.from([0])])), 'UDPCHAT_ERR_TRAILING_BYTES');
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
        for (const d of datagrams) expectProtocolError(() => decode(d), 'UDPCHAT_ERR_BAD_UTF8');
      }
    });

    it('raises UDPCHAT_ERR_BAD_UTF8 when encoding a lone surrogate in a nick, text or detail', () => {
      expectProtocolError(() => encode({ type: 'join', cookie: TOKEN, clientId: CLIENT_ID, resumeInstance: INSTANCE, resumeSeq: 0, caps: 0, nick: '\uDC00' }), 'UDPCHAT_ERR_BAD_UTF8');
      expectProtocolError(() => encode({ type: 'data', entries: [{ kind: 'msg', seq: 1, time: 0, nick: 'a', target: 0, text: 'x\uD83D' }] }), 'UDPCHAT_ERR_BAD_UTF8');
      expectProtocolError(() => encode({ type: 'error', ref: TOKEN, code: 'UDPCHAT_ERR_FLOODING', arg: 0, detail: '\uD800' }), 'UDPCHAT_ERR_BAD_UTF8');
    });

    it('raises UDPCHAT_ERR_BAD_FIELD for each range rule of §4.7', () => {
      const names = invalid.filter((i) => i.code === 'UDPCHAT_ERR_BAD_FIELD').map((i) => i.name);
      expect(names.length).to.be.at.least(10);
      const welcome = example('welcome');
      welcome.writeUInt32BE(0, 44); // historyFrom 0
      expectProtocolError(() => decode(welcome), 'UDPCHAT_ERR_BAD_FIELD');
      const idle = example('welcome');
      idle.writeUInt32BE(0, 60); // idleTimeoutMs 0
      expectProtocolError(() => decode(idle), 'UDPCHAT_ERR_BAD_FIELD');
      const data = example('data-one-msg');
      data.writeUInt32BE(0, 4); // firstSeq 0
      expectProtocolError(() => decode(data), 'UDPCHAT_ERR_BAD_FIELD');
      const entryNick = example('data-one-msg');
      entryNick[16] = 0; // entry nickLen 0
      expectProtocolError(() => decode(entryNick), 'UDPCHAT_ERR_BAD_FIELD');
      const leave = example('data-all-kinds');
      leave[leave.length - 1] = 4; // leave reason 4
      expectProtocolError(() => decode(leave), 'UDPCHAT_ERR_BAD_FIELD');
      const rosterNick = example('roster');
      rosterNick[13] = 65; // nickLen 65
      expectProtocolError(() => decode(rosterNick), 'UDPCHAT_ERR_BAD_FIELD');
      const code = example('error');
      code.writeUInt16BE(11, 20); // wire code 11
      expectProtocolError(() => decode(code), 'UDPCHAT_ERR_BAD_FIELD');
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
  });

  describe('properties (seeded; replay with FC_SEED)', () => {
    const headerOf = (type: number): Buffer => Buffer.from([0x55, 0x43, 0x01, type]);
    const anyType = fc.oneof(fc.constantFrom(...Object.values(OPCODES)), fc.integer({ min: 0, max: 255 }));

    it('decodes random bytes (up to 1300) to a message or throws ProtocolError, nothing else', () => {
      checkProperty(fc.property(fc.uint8Array({ maxLength: 1300 }), decodesOrRefuses), 10_000);
    });

    it('decodes random bodies behind a valid header to a message or throws ProtocolError, nothing else', () => {
      const body = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 1296 }));
      checkProperty(
        fc.property(anyType, body, (t, b) => decodesOrRefuses(Buffer.concat([headerOf(t), b]))),
        20_000,
      );
    });

    it('decodes mutated fixtures to a message that re-encodes within 1200 bytes, or throws ProtocolError', () => {
      const fixtures = [...examples.map((e) => e.bytes), ...invalid.map((i) => i.bytes)];
      checkProperty(
        fc.property(fc.constantFrom(...fixtures), fc.array(mutation, { minLength: 1, maxLength: 4 }), (bytes, ms) => decodesOrRefuses(mutate(bytes, ms))),
        20_000,
      );
    });

    it('round-trips arbitrary valid messages, and refuses with OVERSIZE exactly those over 1200 bytes', () => {
      checkProperty(
        fc.property(arbMessage, (m) => {
          const size = expectedSize(m);
          if (size > MAX_DATAGRAM) return expectProtocolError(() => encode(m), 'UDPCHAT_ERR_OVERSIZE');
          const bytes = encode(m);
          expect(bytes.length).to.equal(size);
          expect(peekType(bytes)).to.equal(m.type);
          expect(decode(bytes)).to.deep.equal(m);
        }),
        5_000,
      );
    });
  });
});
