import { expect } from 'chai';
import { parseServerAddress } from '../../lib/client/server-address.js';
import { LocalError } from '../../lib/protocol/local-error.js';

function refusal(input: string): LocalError {
  try {
    parseServerAddress(input);
  } catch (err) {
    expect(err).to.be.instanceOf(LocalError);
    return err as LocalError;
  }
  throw new Error(`parseServerAddress accepted ${JSON.stringify(input)}`);
}

describe('parseServerAddress', () => {
  it('takes a bare host with the default port (7777)', () => {
    expect(parseServerAddress('chat.lan')).to.deep.equal({ host: 'chat.lan', port: 7777 });
  });

  it('takes host:port and trims surrounding space', () => {
    expect(parseServerAddress('  192.168.1.5:9000 ')).to.deep.equal({ host: '192.168.1.5', port: 9000 });
  });

  it('uses the default port it is given', () => {
    expect(parseServerAddress('h', 1234)).to.deep.equal({ host: 'h', port: 1234 });
  });

  it('takes a bare IPv6 address as a host, and [v6]:port', () => {
    expect(parseServerAddress('::1')).to.deep.equal({ host: '::1', port: 7777 });
    expect(parseServerAddress('fe80::1:2')).to.deep.equal({ host: 'fe80::1:2', port: 7777 });
    expect(parseServerAddress('[::1]:8000')).to.deep.equal({ host: '::1', port: 8000 });
    expect(parseServerAddress('[::1]')).to.deep.equal({ host: '::1', port: 7777 });
  });

  it('accepts ports 1 and 65535', () => {
    expect(parseServerAddress('h:1').port).to.equal(1);
    expect(parseServerAddress('h:65535').port).to.equal(65535);
  });

  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    [':7777', /host is missing/],
    ['my host', /spaces/],
    ['h:0', /port must be a number from 1 to 65535/],
    ['h:65536', /port must be a number from 1 to 65535/],
    ['h:http', /port must be a number/],
    ['h:', /port must be a number/],
    ['[::1]:x', /port must be a number/],
    ['h:123456', /port must be a number/],
  ];
  for (const [input, why] of bad) {
    it(`refuses ${JSON.stringify(input)} with a one-line UDPCHAT_ERR_BAD_ADDRESS`, () => {
      const err = refusal(input);
      expect(err.code).to.equal('UDPCHAT_ERR_BAD_ADDRESS');
      expect(err.message).to.match(why).and.not.to.include('\n');
      expect(err.message).to.include(`"${input}"`);
    });
  }
});
