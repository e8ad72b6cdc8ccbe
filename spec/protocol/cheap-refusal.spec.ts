/**
 * Cheap refusal (issue 10 item 7): what fails the framing checks of §4.7 (size, magic, version,
 * checksum, type) is refused by tryDecode without allocating: one shared ProtocolError per code.
 */
import { expect } from 'chai';
import { decode, tryDecode } from '../../lib/protocol/codec.js';
import { ProtocolError } from '../../lib/protocol/protocol-error.js';

describe('tryDecode on garbage', () => {
  const cases: Array<[string, Buffer, Buffer]> = [
    ['oversize', Buffer.alloc(1201, 1), Buffer.alloc(1500, 2)],
    ['truncated', Buffer.alloc(3), Buffer.alloc(7, 0x55)],
    ['bad magic', Buffer.from('GET / HTTP/1.1\r\n'), Buffer.alloc(40, 9)],
    ['bad version', Buffer.from([0x55, 0x43, 0x02, 0x01, 0, 0, 0, 0]), Buffer.from([0x55, 0x43, 0x07, 0x01, 1, 2, 3, 4, 5])],
    ['bad checksum', Buffer.from([0x55, 0x43, 0x01, 0x01, 0, 0, 0, 0]), Buffer.from([0x55, 0x43, 0x01, 0x42, 9, 9, 9, 9, 9, 9])],
  ];
  for (const [what, a, b] of cases) {
    it(`refuses ${what} with one shared ProtocolError (no allocation), while decode still throws a fresh one`, () => {
      const x = tryDecode(a);
      const y = tryDecode(b);
      expect(x).to.be.instanceOf(ProtocolError);
      expect(x, 'the same instance').to.equal(y);
      let thrown: unknown;
      try {
        decode(a);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).to.be.instanceOf(ProtocolError);
      expect(thrown).to.not.equal(x);
      expect((thrown as ProtocolError).code).to.equal((x as ProtocolError).code);
    });
  }
});
