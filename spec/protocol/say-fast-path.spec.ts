/**
 * The SAY fast path of the decoder (readWellFormedSay, codec.ts) against the codec table's reader
 * (docs/protocol.md §4.2.2, §4.7): over well-formed, random and hostile SAY datagrams (framing
 * sound, so that the body is what is tested) it accepts exactly what the table accepts, with the
 * same message, and leaves every refusal to the table, so that decode and tryDecode refuse with the
 * same code as before.
 */
import { crc32 } from 'node:zlib';
import { expect } from 'chai';
import fc from 'fast-check';
import { OPCODES, decode, encode, readWellFormedSay, tryDecode } from '../../lib/protocol/codec.js';
import { CODECS } from '../../lib/protocol/codec-table.js';
import { CHECKSUM_BYTES, HEADER_BYTES, MAGIC_0, MAGIC_1, VERSION } from '../../lib/protocol/constants.js';
import type { Message } from '../../lib/protocol/messages.js';
import { ProtocolError } from '../../lib/protocol/protocol-error.js';
import { Reader } from '../../lib/protocol/wire.js';

const FC_SEED = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? undefined : Number(process.env.FC_SEED);

/** A datagram of type `opcode` around `body`, with a correct checksum (framing sound). */
function frame(body: Uint8Array, opcode: number = OPCODES.say): Buffer {
  const head = Buffer.from([MAGIC_0, MAGIC_1, VERSION, opcode]);
  const bytes = Buffer.concat([head, body]);
  const trailer = Buffer.alloc(CHECKSUM_BYTES);
  trailer.writeUInt32BE(crc32(bytes));
  return Buffer.concat([bytes, trailer]);
}

/** What the codec table's reader makes of the body (the reference): a message or its refusal. */
function viaTable(buf: Buffer): Message | ProtocolError {
  try {
    const r = new Reader(buf.subarray(0, buf.length - CHECKSUM_BYTES), HEADER_BYTES);
    const m = CODECS.say.read(r);
    r.end();
    return m;
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
}

/** The fast path agrees with the table, and decode / tryDecode give the table's answer. */
function agrees(buf: Buffer): void {
  const ref = viaTable(buf);
  const fast = readWellFormedSay(buf);
  const tried = tryDecode(buf);
  if (ref instanceof ProtocolError) {
    expect(fast, 'refused by the table: left to it').to.equal(undefined);
    expect(tried).to.be.instanceOf(ProtocolError);
    expect((tried as ProtocolError).code).to.equal(ref.code);
    expect(() => decode(buf)).to.throw(ProtocolError).with.property('code', ref.code);
    return;
  }
  expect(fast, 'accepted by the table: read by the fast path').to.deep.equal(ref);
  expect(tried).to.deep.equal(ref);
  expect(decode(buf)).to.deep.equal(ref);
  // A copy: the message never aliases the receive buffer.
  const token = (fast as { token: Buffer }).token;
  expect(token.buffer === buf.buffer && token.byteOffset < buf.byteOffset + buf.length && token.byteOffset + token.length > buf.byteOffset).to.equal(false);
}

function run<T>(arb: fc.Arbitrary<T>, check: (t: T) => void, numRuns: number): void {
  const details = fc.check(fc.property(arb, check), { numRuns, ...(FC_SEED === undefined ? {} : { seed: FC_SEED }) });
  if (details.failed) throw new Error(`${fc.defaultReportMessage(details)}\nReplay with FC_SEED=${details.seed}`);
}

/** SAY body fields, each possibly wrong: token length, cseq (0 included), target, declared and real text length, text bytes (any: often not UTF-8), trailing bytes. */
const hostileBody = fc
  .record({
    token: fc.uint8Array({ minLength: 0, maxLength: 20 }),
    cseq: fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 0xffff_ffff })),
    target: fc.integer({ min: 0, max: 255 }),
    text: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8')))),
    lengthDelta: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 0xffff })),
    trailing: fc.uint8Array({ maxLength: 3 }),
    cut: fc.nat({ max: 60 }),
  })
  .map(({ token, cseq, target, text, lengthDelta, trailing, cut }) => {
    const fixed = Buffer.alloc(7);
    fixed.writeUInt32BE(cseq, 0);
    fixed[4] = target;
    fixed.writeUInt16BE(lengthDelta > 3 ? lengthDelta : Math.max(0, Math.min(0xffff, text.length + lengthDelta)), 5);
    const body = Buffer.concat([token, fixed, text, trailing]);
    // Sometimes cut short anywhere.
    return cut < 10 ? body.subarray(0, Math.min(body.length, cut * 4)) : body;
  });

describe('SAY fast path (readWellFormedSay) against the codec table', () => {
  it('reads every well-formed SAY as the table does (random fields, any text)', () => {
    const say = fc.record({
      token: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      cseq: fc.integer({ min: 1, max: 0xffff_ffff }),
      target: fc.integer({ min: 0, max: 255 }),
      text: fc.string({ unit: 'grapheme', maxLength: 300 }),
    });
    run(say, ({ token, cseq, target, text }) => agrees(encode({ type: 'say', token: Buffer.from(token), cseq, target, text })), 500);
  });

  it('accepts and refuses exactly as the table does, with the same error, over hostile SAY bodies', () => {
    run(hostileBody, (body) => agrees(frame(body)), 3000);
  });

  it('agrees over random byte flips, cuts and extensions of a valid SAY', () => {
    const base = encode({ type: 'say', token: Buffer.alloc(16, 7), cseq: 5, target: 0, text: 'héllo, wörld ✓' });
    const body = base.subarray(HEADER_BYTES, base.length - CHECKSUM_BYTES);
    const edits = fc.record({
      flips: fc.array(fc.record({ at: fc.nat({ max: body.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
      length: fc.integer({ min: 0, max: body.length + 4 }),
    });
    run(
      edits,
      ({ flips, length }) => {
        const b = Buffer.concat([body, Buffer.alloc(4, 0x41)]).subarray(0, length);
        const copy = Buffer.from(b);
        for (const f of flips) if (f.at < copy.length) copy[f.at] = f.value;
        agrees(frame(copy));
      },
      2000,
    );
  });

  it('edge cases: empty text, the largest text, cseq 0, a lone surrogate, overlong UTF-8, a declared length past the end', () => {
    const fixed = (cseq: number, n: number): Buffer => {
      const f = Buffer.alloc(7);
      f.writeUInt32BE(cseq, 0);
      f.writeUInt16BE(n, 5);
      return f;
    };
    const token = Buffer.alloc(16, 1);
    const cases = [
      Buffer.concat([token, fixed(1, 0)]),
      Buffer.concat([token, fixed(1, 1000), Buffer.alloc(1000, 0x61)]),
      Buffer.concat([token, fixed(0, 1), Buffer.from('a')]),
      Buffer.concat([token, fixed(1, 3), Buffer.from([0xed, 0xa0, 0x80])]),
      Buffer.concat([token, fixed(1, 2), Buffer.from([0xc0, 0x80])]),
      Buffer.concat([token, fixed(1, 5), Buffer.from('abc')]),
      Buffer.concat([token, fixed(1, 1), Buffer.from('ab')]),
      Buffer.concat([token, fixed(1, 3), Buffer.from([0xef, 0xbb, 0xbf])]),
      token.subarray(0, 15),
    ];
    for (const body of cases) agrees(frame(body));
    expect(readWellFormedSay(frame(Buffer.concat([token, fixed(1, 3), Buffer.from([0xef, 0xbb, 0xbf])])))?.text, 'a BOM is text, not stripped').to.equal('\uFEFF');
  });

  it('leaves every other type to the table', () => {
    const ping = encode({ type: 'ping', token: Buffer.alloc(16), delivered: 1, echo: 2 });
    expect(readWellFormedSay(ping)).to.equal(undefined);
    // A SAY-shaped body under another opcode is not a SAY.
    const body = Buffer.concat([Buffer.alloc(16, 1), Buffer.from([0, 0, 0, 1, 0, 0, 1]), Buffer.from('a')]);
    for (const op of Object.values(OPCODES)) if (op !== OPCODES.say) expect(readWellFormedSay(frame(body, op))).to.equal(undefined);
  });
});
