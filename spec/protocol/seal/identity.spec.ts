import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { fingerprint, generateServerKeys, generateUserKey, isFingerprint, serverPublicKeys } from '../../../lib/protocol/seal/identity.js';
import { checkKnownServer, formatKnownServers, parseKnownServers, pinServer, serverName } from '../../../lib/protocol/seal/known-servers.js';

/** A deterministic "random" source for specs: 1, 2, 3, … */
function counting(): (n: number) => Buffer {
  let next = 0;
  return (n) => Buffer.from(Array.from({ length: n }, () => ++next & 0xff));
}

describe('identities', function () {
  it('makes server keys from injected randomness: 32 bytes each, different, with public halves', function () {
    const keys = generateServerKeys(counting());
    expect(keys.x25519.length).to.equal(32);
    expect(keys.ed25519).to.not.deep.equal(keys.x25519);
    const pub = serverPublicKeys(keys);
    expect(pub.x25519.length).to.equal(32);
    expect(pub.ed25519.length).to.equal(32);
    expect(serverPublicKeys(generateServerKeys(counting()))).to.deep.equal(pub);
  });

  it('refuses a random source that gives the wrong number of bytes', function () {
    expect(() => generateUserKey(() => Buffer.alloc(16))).to.throw(RangeError);
  });

  it('writes fingerprints like OpenSSH: SHA256: and unpadded base64 of the hash', function () {
    const key = Buffer.alloc(32, 7);
    const expected = createHash('sha256').update(key).digest('base64').replace(/=$/, '');
    expect(fingerprint(key)).to.equal(`SHA256:${expected}`);
    expect(fingerprint(key)).to.have.length(50);
    expect(isFingerprint(fingerprint(key))).to.equal(true);
    expect(isFingerprint('SHA256:abc')).to.equal(false);
    expect(fingerprint(Buffer.alloc(32, 8))).to.not.equal(fingerprint(key));
  });
});

describe('known servers', function () {
  const a = Buffer.alloc(32, 1);
  const b = Buffer.alloc(32, 2);

  it('names servers host:port, lower case, IPv6 in brackets', function () {
    expect(serverName('Chat.Example', 7777)).to.equal('chat.example:7777');
    expect(serverName('2001:DB8::7', 7777)).to.equal('[2001:db8::7]:7777');
    expect(serverName('[::1]', 9)).to.equal('[::1]:9');
  });

  it('pins on first use, recognises the key, and reports a changed one', function () {
    let servers = pinServer([], '192.0.2.7:7777', a);
    expect(checkKnownServer(servers, '192.0.2.7:7777', a)).to.equal('known');
    expect(checkKnownServer(servers, '192.0.2.7:7777', b)).to.equal('changed');
    expect(checkKnownServer(servers, '192.0.2.8:7777', a)).to.equal('new');
    servers = pinServer(servers, '192.0.2.7:7777', b); // --accept-new-key
    expect(servers).to.have.length(1);
    expect(checkKnownServer(servers, '192.0.2.7:7777', b)).to.equal('known');
  });

  it('round-trips the file, skipping comments and blank lines', function () {
    const servers = pinServer(pinServer([], '192.0.2.7:7777', a), '[2001:db8::7]:7777', b);
    const text = formatKnownServers(servers);
    expect(text.split('\n')[1]).to.equal(`192.0.2.7:7777 x25519 ${a.toString('base64')}`);
    expect(parseKnownServers(`\n# hand-written note\n${text}\n\n`)).to.deep.equal({ ok: true, servers });
  });

  const damaged: Array<[string, string, number, RegExp]> = [
    ['a missing field', '192.0.2.7:7777 x25519', 1, /expected "<server> x25519 <key>"/],
    ['a server without a port', `192.0.2.7 x25519 ${'A'.repeat(43)}=`, 1, /not host:port/],
    ['an unknown key type', `192.0.2.7:1 rsa ${'A'.repeat(43)}=`, 1, /unknown key type "rsa"/],
    ['a short key', `# c\n192.0.2.7:1 x25519 ${Buffer.alloc(31).toString('base64')}`, 2, /not 32 bytes/],
    ['a server listed twice', `h:1 x25519 ${a.toString('base64')}\nh:1 x25519 ${b.toString('base64')}`, 2, /listed twice/],
  ];
  for (const [what, text, line, reason] of damaged) {
    it(`refuses a file with ${what}, naming the line`, function () {
      const parsed = parseKnownServers(text);
      expect(parsed.ok).to.equal(false);
      if (!parsed.ok) {
        expect(parsed.line).to.equal(line);
        expect(parsed.reason).to.match(reason);
      }
    });
  }
});
