/**
 * clientSeal's known_servers record (lib/cli/join-seal.ts): what a join tells the user when it pins
 * a server key, with the real file in a temporary config directory.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientSeal } from '../../lib/cli/join-seal.js';
import { fingerprint } from '../../lib/protocol/seal/fingerprint.js';

describe('clientSeal pin', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  const opts = { acceptNewKey: false, passphrase: undefined };
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'udp-chat-join-seal-'));
    env = { XDG_CONFIG_HOME: home };
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));
  const known = (): string => join(home, 'udp-chat', 'known_servers');

  it('first contact: remembers the key and says so', async () => {
    const key = randomBytes(32);
    const seal = await clientSeal('127.0.0.1:7777', opts, env);
    expect(seal.options.serverKey).to.equal(undefined);
    const line = await seal.pin(key);
    expect(line).to.match(/^first contact with 127\.0\.0\.1:7777: its key is /).and.include(fingerprint(key));
    expect(readFileSync(known(), 'utf8')).to.include(`127.0.0.1:7777 x25519 ${key.toString('base64')}`);
    expect(statSync(known()).mode & 0o777).to.equal(0o600);
  });

  it('two joins started before either pinned, same key: both a first contact, never "is now X (was X)"', async () => {
    const key = randomBytes(32);
    const a = await clientSeal('127.0.0.1:7777', opts, env);
    const b = await clientSeal('127.0.0.1:7777', opts, env);
    expect(await a.pin(key)).to.match(/^first contact/);
    const line = await b.pin(key);
    expect(line).to.match(/^first contact/).and.not.include('is now');
    const text = readFileSync(known(), 'utf8');
    expect(text.split(key.toString('base64')).length - 1).to.equal(1);
  });

  it('a key other than the one pinned meanwhile is a change, and the new key is remembered', async () => {
    const first = randomBytes(32);
    const second = randomBytes(32);
    const a = await clientSeal('127.0.0.1:7777', opts, env);
    const b = await clientSeal('127.0.0.1:7777', { ...opts, acceptNewKey: true }, env);
    await a.pin(first);
    expect(await b.pin(second)).to.equal(
      `the key of 127.0.0.1:7777 is now ${fingerprint(second)} (was ${fingerprint(first)}; remembered in ${known()})`,
    );
    expect((await clientSeal('127.0.0.1:7777', opts, env)).options.serverKey?.equals(second)).to.equal(true);
  });
});
