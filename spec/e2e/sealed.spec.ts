/**
 * Sealed sessions through the real CLI (issue 10 items 3, 4, 10): the server's key file and
 * fingerprint, trust on first use in ~/.config/udp-chat/known_servers, a changed key refused
 * loudly (and --accept-new-key), a wrong passphrase refused after one round trip, and a cleartext
 * client of the previous revision told to upgrade.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../lib/client/chat-client.js';
import type { ClientEvent } from '../../lib/client/session-types.js';
import { cleanupAll, freeUdpPort, runCli, startServer } from '../support/processes.js';

const FINGERPRINT = /SHA256:[A-Za-z0-9+/]{43}/;

describe('sealed sessions (e2e)', function () {
  this.timeout(30_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'udp-chat-sealed-'));
  });

  afterEach(async () => {
    await cleanupAll();
    rmSync(dir, { recursive: true, force: true });
  });

  function join_(nick: string, port: number, config: string, extra: readonly string[] = [], env: Record<string, string> = {}): ReturnType<typeof runCli> {
    return runCli(nick, ['join', '--nick', nick, '--server', `127.0.0.1:${port}`, '--plain', '--timeout', '3', ...extra], [], { XDG_CONFIG_HOME: config, ...env });
  }

  it('keeps its key in server.key (0600, directory 0700), prints its fingerprint, and the same one after a restart', async function () {
    const data = join(dir, 'store');
    const first = await startServer(['--data', data]);
    const line = await first.proc.waitForLine(/server key: /);
    const fp = FINGERPRINT.exec(line)?.[0];
    expect(fp, line).to.be.a('string');
    expect(statSync(join(data, 'server.key')).mode & 0o777).to.equal(0o600);
    expect(statSync(data).mode & 0o777).to.equal(0o700);
    first.proc.kill('SIGTERM');
    await first.proc.exitCode(5_000);
    const second = await startServer(['--data', data, '--port', String(first.port)]);
    expect(await second.proc.waitForLine(/server key: /)).to.include(fp!);
  });

  it('refuses to start with a damaged key file, saying which file', async function () {
    const data = join(dir, 'store');
    const first = await startServer(['--data', data]);
    first.proc.kill('SIGTERM');
    await first.proc.exitCode(5_000);
    writeFileSync(join(data, 'server.key'), 'udp-chat server key v1\nx25519 garbage\n', { mode: 0o600 });
    const again = runCli('server', ['serve', '--host', '127.0.0.1', '--port', '0', '--data', data]);
    const { code } = await again.exitCode(10_000);
    expect(code).to.equal(1);
    expect(again.stderr.join('\n')).to.match(/^udp-chat: server key .*server\.key: damaged: expected 3 lines, found 2$/);
  });

  it('remembers the server on first contact, refuses a changed key loudly, and --accept-new-key takes the new one', async function () {
    const config = join(dir, 'config');
    const first = await startServer(['--data', join(dir, 'a')]);
    const fp = FINGERPRINT.exec(await first.proc.waitForLine(/server key: /))![0];
    const ann = join_('ann', first.port, config);
    await ann.waitForLine(/\* you joined as ann/);
    await ann.waitUntil(() => ann.stderr.some((l) => l.startsWith('First contact with')), 5_000, 'the first-contact note');
    expect(ann.stderr.find((l) => l.startsWith('First contact'))).to.include(fp);
    expect(readFileSync(join(config, 'udp-chat', 'known_servers'), 'utf8')).to.match(new RegExp(`^127\\.0\\.0\\.1:${first.port} x25519 `, 'm'));
    expect(statSync(join(config, 'udp-chat', 'known_servers')).mode & 0o777).to.equal(0o600);
    expect(statSync(join(config, 'udp-chat', 'user.key')).mode & 0o777).to.equal(0o600);
    ann.end();
    await ann.exitCode(10_000);
    first.proc.kill('SIGTERM');
    await first.proc.exitCode(5_000);

    // Another key on the same address: an impostor, or a reinstalled server.
    const second = await startServer(['--data', join(dir, 'b'), '--port', String(first.port)]);
    const newFp = FINGERPRINT.exec(await second.proc.waitForLine(/server key: /))![0];
    const refused = join_('ann', second.port, config);
    const { code } = await refused.exitCode(10_000);
    expect(code).to.equal(3);
    const warning = refused.stderr.join('\n');
    expect(warning).to.include("WARNING: the server's key changed");
    expect(warning).to.include(newFp).and.include(fp).and.include('--accept-new-key');
    expect(refused.stdout.some((l) => l.includes('joined'))).to.equal(false);

    const accepted = join_('ann', second.port, config, ['--accept-new-key']);
    await accepted.waitForLine(/\* you joined as ann/);
    await accepted.waitUntil(() => accepted.stderr.some((l) => l.includes('is now')), 5_000, 'the new-key note');
    expect(accepted.stderr.find((l) => l.includes('is now'))).to.include(`is now ${newFp} (was ${fp}`);
    expect(readFileSync(join(config, 'udp-chat', 'known_servers'), 'utf8').match(new RegExp(`^127\\.0\\.0\\.1:${first.port} `, 'gm'))).to.have.length(1);
  });

  it('--server-key: a server with another key is refused before anything is shown; the right fingerprint joins and is remembered', async function () {
    const config = join(dir, 'config');
    const server = await startServer(['--data', join(dir, 'a')]);
    const fp = FINGERPRINT.exec(await server.proc.waitForLine(/server key: /))![0];
    // A fingerprint of another key (one character changed): nothing pinned yet, so only the flag can refuse it.
    const wrongFp = `${fp.slice(0, -1)}${fp.endsWith('A') ? 'B' : 'A'}`;
    const refused = join_('ann', server.port, config, ['--server-key', wrongFp]);
    expect((await refused.exitCode(10_000)).code).to.equal(3);
    expect(refused.stderr.join('\n')).to.include(`the server's key is ${fp}, not ${wrongFp} as given with --server-key`);
    expect(refused.stdout.some((l) => l.includes('joined'))).to.equal(false);
    expect(() => readFileSync(join(config, 'udp-chat', 'known_servers'), 'utf8')).to.throw(/ENOENT/);

    const ann = join_('ann', server.port, config, ['--server-key', fp]);
    await ann.waitForLine(/\* you joined as ann/);
    await ann.waitUntil(() => ann.stderr.some((l) => l.includes('as given with --server-key')), 5_000, 'the pinned-key note');
    expect(ann.stderr.find((l) => l.includes('as given with --server-key'))).to.include(fp);
    expect(readFileSync(join(config, 'udp-chat', 'known_servers'), 'utf8')).to.match(new RegExp(`^127\\.0\\.0\\.1:${server.port} x25519 `, 'm'));
    ann.end();
    await ann.exitCode(10_000);

    // A malformed fingerprint is a usage error before anything is sent.
    const bad = join_('bob', server.port, config, ['--server-key', 'SHA256:short']);
    expect((await bad.exitCode(10_000)).code).to.equal(2);
    expect(bad.stderr.join('\n')).to.include('--server-key takes a key fingerprint');
  });

  it('a wrong passphrase is refused clearly; the right one (flag or UDP_CHAT_PASSPHRASE) joins', async function () {
    const config = join(dir, 'config');
    const { port } = await startServer(['--passphrase', 'correct horse']);
    const wrong = join_('ann', port, config, ['--passphrase', 'battery staple']);
    expect((await wrong.exitCode(15_000)).code).to.equal(3);
    expect(wrong.stderr.join('\n')).to.match(/refused the join: wrong passphrase/);
    const none = join_('bob', port, config);
    expect((await none.exitCode(15_000)).code).to.equal(3);
    expect(none.stderr.join('\n')).to.match(/needs a passphrase.*--passphrase or UDP_CHAT_PASSPHRASE/);
    const right = join_('cy', port, config, [], { UDP_CHAT_PASSPHRASE: 'correct horse' });
    await right.waitForLine(/\* you joined as cy/, 15_000);
  });

  it('a cleartext client of the previous revision is refused with a detail telling it to upgrade', async function () {
    const { port } = await startServer();
    const old = new ChatClient({ server: `127.0.0.1:${port}`, nick: 'old', joinTimeoutMs: 3_000 });
    const failed = new Promise<ClientEvent>((resolve) => old.on('event', (e: ClientEvent) => e.type === 'join-failed' && resolve(e)));
    try {
      await old.connect();
      old.join();
      const e = await failed;
      expect(e).to.deep.include({ type: 'join-failed', code: 'UDPCHAT_ERR_SERVER_FULL' });
      expect((e as { reason: string }).reason).to.equal('this server only admits sealed (encrypted) clients: upgrade udp-chat to join it');
    } finally {
      old.shutdown();
    }
  });

  it('serve --allow-cleartext admits the previous revision beside sealed clients; not with a passphrase', async function () {
    const { proc, port } = await startServer(['--allow-cleartext']);
    await proc.waitUntil(() => proc.stderr.some((l) => l.includes('--allow-cleartext')), 5_000, 'the warning');
    const old = new ChatClient({ server: `127.0.0.1:${port}`, nick: 'old', joinTimeoutMs: 3_000 });
    const joined = new Promise<ClientEvent>((resolve) => old.on('event', (e: ClientEvent) => (e.type === 'joined' || e.type === 'join-failed') && resolve(e)));
    try {
      await old.connect();
      old.join();
      expect(await joined).to.deep.include({ type: 'joined' });
    } finally {
      old.shutdown();
    }
    const both = runCli('server', ['serve', '--host', '127.0.0.1', '--port', '0', '--allow-cleartext', '--passphrase', 'x']);
    expect((await both.exitCode(10_000)).code).to.equal(2);
    expect(both.stderr.join('\n')).to.include('--allow-cleartext cannot be used with a passphrase');
  });

  it('a sealed client that finds nothing listening still fails within its timeout', async function () {
    const port = await freeUdpPort();
    const c = join_('ann', port, join(dir, 'config'));
    expect((await c.exitCode(10_000)).code).to.equal(1);
  });
});
