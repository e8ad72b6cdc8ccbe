/**
 * Ended from outside. A reader that goes away (`udp-chat serve | head -3`, a log pipe closed,
 * `join --plain | head`) ends the command as a signal does — the server tells its peers and closes
 * its store, a client leaves — with one line on stderr, never a crash on EPIPE with a stack trace.
 * And a line-mode client stopped by a signal with everything delivered exits 0 (README "Exit codes").
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupAll, runCli, startClient, startServer, type CliProcess } from '../support/processes.js';

/** Waits (bounded) for the process to exit; its exit code. */
async function exitOf(proc: CliProcess, ms: number): Promise<number | null> {
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
  const exit = await Promise.race([proc.exited, timer]);
  if (exit === 'timeout') throw new Error(proc.explain(`still running ${ms} ms after its standard output was closed`));
  return exit.code;
}

describe('standard output closed by its reader', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'udp-chat-closed-out-'));
  });
  afterEach(async () => {
    await cleanupAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serve stops cleanly: one line on stderr, the store closed and its lock released', async () => {
    const server = runCli('server', ['serve', '--host', '127.0.0.1', '--port', '0', '--data', dir]);
    // Closed before the server writes its first line: that write fails with EPIPE.
    server.child.stdout?.destroy();
    expect(await exitOf(server, 15_000)).to.equal(0);
    const err = server.stderr.join('\n');
    expect(err).to.include('udp-chat: standard output closed (EPIPE): stopping');
    expect(err).to.match(/stopped: /);
    expect(err).not.to.match(/Unhandled|\n\s+at /);
    expect(existsSync(join(dir, 'LOCK')), 'the store lock is released').to.equal(false);
  });

  it('join --plain leaves the room (the server sees it quit) instead of crashing', async () => {
    const server = await startServer(['--no-persist']);
    const client = runCli('ann', ['join', '--nick', 'ann', '--server', `127.0.0.1:${server.port}`, '--plain']);
    client.child.stdout?.destroy();
    expect(await exitOf(client, 15_000)).to.equal(0);
    const err = client.stderr.join('\n');
    expect(err).to.include('udp-chat: standard output closed (EPIPE): stopping');
    expect(err).not.to.match(/Unhandled|\n\s+at /);
    await server.proc.waitForLine(/leave "ann" \(quit\)/, 10_000, { stream: 'stderr' });
  });
});

describe('join --plain stopped by a signal', function () {
  this.timeout(30_000);
  afterEach(() => cleanupAll());

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} with everything delivered: leaves, says nothing more, exits 0`, async () => {
      const server = await startServer(['--no-persist']);
      const client = await startClient('bob', server.port);
      client.write('hello before going');
      await client.waitForLine(/bob: hello before going/);
      client.kill(signal);
      expect(await exitOf(client, 15_000)).to.equal(0);
      expect(client.stderr.filter((l) => l.startsWith('udp-chat:'))).to.deep.equal([]);
      await server.proc.waitForLine(/leave "bob" \(quit\)/, 10_000, { stream: 'stderr' });
    });
  }
});
