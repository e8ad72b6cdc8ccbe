import { expect } from 'chai';
import { scryptSync } from 'node:crypto';
import { derivePsk, NO_PASSPHRASE_PSK, PSK_SCRYPT, pskSalt } from '../../../lib/protocol/seal/psk.js';
import { sha256 } from '../../../lib/protocol/seal/primitives.js';

describe('derivePsk', function () {
  const server = Buffer.alloc(32, 0x11);
  const other = Buffer.alloc(32, 0x22);
  // The real cost once (it takes a fraction of a second); a cheap one where only the inputs matter.
  const CHEAP = { N: 1024, r: 8, p: 1, maxmem: 32 * 1024 * 1024 };

  it('is scrypt (N = 2^16, r = 8, p = 1) of the passphrase with the salt bound to the server key', async function () {
    expect(PSK_SCRYPT).to.include({ N: 65536, r: 8, p: 1 });
    const salt = sha256(Buffer.from('udp-chat psk v1\0'), server);
    expect(pskSalt(server)).to.deep.equal(salt);
    const expected = scryptSync(Buffer.from('correct horse'), salt, 32, PSK_SCRYPT);
    expect(await derivePsk('correct horse', server)).to.deep.equal(expected);
  });

  it('gives another psk for another server or another passphrase', async function () {
    const psk = await derivePsk('correct horse', server, CHEAP);
    expect(await derivePsk('correct horse', other, CHEAP)).to.not.deep.equal(psk);
    expect(await derivePsk('correct horsf', server, CHEAP)).to.not.deep.equal(psk);
    expect(psk).to.not.deep.equal(NO_PASSPHRASE_PSK);
  });

  it('normalises the passphrase to NFC (composed and decomposed accents are the same passphrase)', async function () {
    expect(await derivePsk('caf\u00e9', server, CHEAP)).to.deep.equal(await derivePsk('cafe\u0301', server, CHEAP));
  });

  it('rejects an empty passphrase and a server key that is not 32 bytes (our misuse)', async function () {
    let error: unknown;
    await derivePsk('', server).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
    expect(() => pskSalt(Buffer.alloc(31))).to.throw(RangeError);
  });

  it('uses 32 zero bytes when the server has no passphrase', function () {
    expect(NO_PASSPHRASE_PSK).to.deep.equal(Buffer.alloc(32));
  });
});
