import { expect } from 'chai';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatKeyFile, KeyFileError, loadOrCreateKeyFile, parseKeyFile, readKeyFile, writeKeyFile } from '../../lib/state/key-file.js';

describe('key files', function () {
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'udp-chat-keys-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const serverKeys = { x25519: Buffer.alloc(32, 1), ed25519: Buffer.alloc(32, 2) };

  it('writes a server key file 0600 in a 0700 directory and reads the same keys back', async function () {
    const path = join(dir, 'servers', 'port-7777', 'server.key');
    await writeKeyFile(path, 'server', serverKeys);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir, 'servers', 'port-7777')).mode & 0o777).to.equal(0o700);
    expect(readFileSync(path, 'utf8').split('\n')[0]).to.equal('udp-chat server key v1');
    expect(await readKeyFile(path, 'server')).to.deep.equal(serverKeys);
  });

  it('creates the keys once and then loads them (never regenerates an existing identity)', async function () {
    const path = join(dir, 'user.key');
    let calls = 0;
    const generate = () => ({ x25519: Buffer.alloc(32, ++calls) });
    const first = await loadOrCreateKeyFile(path, 'user', generate);
    const second = await loadOrCreateKeyFile(path, 'user', generate);
    expect([first.created, second.created, calls]).to.deep.equal([true, false, 1]);
    expect(second.keys).to.deep.equal(first.keys);
  });

  it('reads a missing file as undefined', async function () {
    expect(await readKeyFile(join(dir, 'nope.key'), 'user')).to.equal(undefined);
  });

  const damaged: Array<[string, string, RegExp]> = [
    ['an empty file', '', /not a udp-chat server key file/],
    ['a user key where a server key belongs', formatKeyFile('user', { x25519: Buffer.alloc(32) }), /not a udp-chat server key file/],
    ['a truncated file', 'udp-chat server key v1\nx25519 AQEB', /damaged: expected 3 lines, found 2/],
    ['a short key', `udp-chat server key v1\nx25519 ${Buffer.alloc(31).toString('base64')}\ned25519 ${Buffer.alloc(32).toString('base64')}\n`, /line 2 should be "x25519/],
    ['keys in the wrong order', `udp-chat server key v1\ned25519 ${Buffer.alloc(32).toString('base64')}\nx25519 ${Buffer.alloc(32).toString('base64')}\n`, /line 2/],
    ['garbage bytes', '\u0000\u00ff\u0010 binary', /not a udp-chat server key file/],
  ];
  for (const [what, text, reason] of damaged) {
    it(`refuses ${what} with a one-line error naming the file, and leaves it alone`, async function () {
      const path = join(dir, 'server.key');
      writeFileSync(path, text, { mode: 0o600 });
      let error: unknown;
      await loadOrCreateKeyFile(path, 'server', () => serverKeys).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(KeyFileError);
      expect((error as Error).message).to.match(reason).and.to.include(path).and.not.include('\n');
      expect(readFileSync(path, 'utf8')).to.equal(text);
    });
  }

  it('refuses a key file others can read', async function () {
    const path = join(dir, 'user.key');
    await writeKeyFile(path, 'user', { x25519: Buffer.alloc(32, 3) });
    chmodSync(path, 0o644);
    let error: unknown;
    await readKeyFile(path, 'user').catch((e: unknown) => (error = e));
    expect((error as Error).message).to.include('permissions 0644 are too open').and.include('chmod 600');
  });

  it('parses what it formats and never throws on arbitrary text', function () {
    expect(parseKeyFile('server', formatKeyFile('server', serverKeys))).to.deep.equal({ keys: serverKeys });
    for (const text of ['udp-chat server key v1\n\n\n', 'x'.repeat(10_000), 'udp-chat server key v1\nx25519  a\ned25519 b']) {
      expect(parseKeyFile('server', text)).to.have.property('reason');
    }
  });
});
