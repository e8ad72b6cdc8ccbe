/**
 * encodeAck (codec.ts), the server's ACK framed without the codec table, against encode() of the
 * same ACK (docs/protocol.md §4.2.10): the same bytes for every value the format carries, and the
 * same LocalError (code and message) for every value it cannot.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { decode, encode, encodeAck } from '../../lib/protocol/codec.js';
import { LocalError } from '../../lib/protocol/local-error.js';

const FC_SEED = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? undefined : Number(process.env.FC_SEED);

/** The bytes, or the LocalError's code and message. */
function outcome(f: () => Buffer): Buffer | { code: string; message: string } {
  try {
    return f();
  } catch (err) {
    if (err instanceof LocalError) return { code: err.code, message: err.message };
    throw err;
  }
}

const tokens = fc.oneof({ weight: 5, arbitrary: fc.uint8Array({ minLength: 16, maxLength: 16 }) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) }).map((b) => Buffer.from(b));
const cseqs = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 0xffff_ffff, 2 ** 32, -1, 0.5, NaN, Infinity, -0, Number.MAX_SAFE_INTEGER) },
  { weight: 1, arbitrary: fc.double() },
);

describe('encodeAck', () => {
  it('makes the bytes encode() makes of the same ACK, or throws the same LocalError', () => {
    fc.assert(
      fc.property(tokens, cseqs, (token, cseq) => {
        const fast = outcome(() => encodeAck(token, cseq));
        const table = outcome(() => encode({ type: 'ack', token, cseq }));
        if (Buffer.isBuffer(table)) {
          expect(Buffer.isBuffer(fast) ? fast.toString('hex') : fast).to.equal(table.toString('hex'));
          expect(decode(table)).to.deep.equal({ type: 'ack', token, cseq: Object.is(cseq, -0) ? 0 : cseq });
        } else expect(fast).to.deep.equal(table);
      }),
      { numRuns: 2_000, ...(FC_SEED === undefined ? {} : { seed: FC_SEED }) },
    );
  });
});
