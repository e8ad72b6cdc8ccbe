/**
 * A durable server survives `kill -9` during traffic (issue 9, TESTING.md "server kill -9
 * mid-stream"): the real server process is killed while 3 line-mode clients send, restarted on the
 * same port and store, and then every message is in every client's view and in a newcomer's
 * history exactly once, in one order — with no leave or join notices (the restart is inside the
 * idle timeout, so every client continues its session).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatMessages, cleanupAll, freeUdpPort, runCli, seedFromEnv, startClient, startProxy, startServer, type CliProcess, type ServerHandle } from '../support/processes.js';

const NICKS = ['ann', 'ben', 'cat'] as const;
const PER_CLIENT = 200;
/** Lines written to each client per 100 ms tick: 50 messages/s each. */
const PER_TICK = 5;
const SERVER_ARGS = ['--rate', '1000', '--burst', '1000', '--history', '1000'];

function view(proc: CliProcess, history: boolean): string[] {
  return chatMessages(proc.stdout)
    .filter((m) => m.history === history)
    .map((m) => `${m.nick}: ${m.text}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function run(lossPercent: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'udp-chat-durable-'));
  let server: ServerHandle | undefined;
  try {
    const port = await freeUdpPort();
    const args = ['--port', String(port), '--data', dir, ...SERVER_ARGS];
    server = await startServer(args);
    const seed = seedFromEnv();
    const proxy = lossPercent > 0 ? await startProxy({ target: { host: '127.0.0.1', port }, seed }) : undefined;
    if (proxy) console.log(`      ${lossPercent}% loss: seed ${seed} (replay with UDPCHAT_SEED=${seed})`);
    const via = proxy?.port ?? port;
    const clients: CliProcess[] = [];
    for (const nick of NICKS) clients.push(await startClient(nick, via, { extraArgs: ['--timeout', '30'], timeoutMs: 32_000 }));
    proxy?.setFaults({ loss: lossPercent / 100 });
    // Every client has seen the others join before the traffic starts.
    await Promise.all(clients.map((c) => c.waitUntil(() => c.stdout.some((l) => / \* (cat joined|you joined as cat)$/.test(l)), 10_000, 'cat, the last, joining')));
    const joinedLines = clients.map((c) => c.stdout.length);

    // 50 messages/s per client; the server is killed halfway and restarted 500 ms later.
    for (let tick = 0; tick < PER_CLIENT / PER_TICK; tick++) {
      clients.forEach((c, k) => c.writeLines(Array.from({ length: PER_TICK }, (_, i) => `${NICKS[k]} ${tick * PER_TICK + i + 1}`)));
      if (tick === PER_CLIENT / PER_TICK / 2) {
        server.proc.kill('SIGKILL');
        await server.proc.exited;
        await sleep(500);
        server = await startServer(args);
      }
      await sleep(100);
    }
    const total = NICKS.length * PER_CLIENT;
    await Promise.all(clients.map((c) => c.waitUntil(() => view(c, false).length >= total, 45_000, `${total} messages`)));
    proxy?.setFaults({ loss: 0 });
    const beforeNewcomer = clients.map((c) => c.stdout.length);
    const newcomer = await startClient('dan', port, { timeoutMs: 10_000 });
    await newcomer.waitUntil(() => view(newcomer, true).length >= total, 10_000, `${total} messages of history`);

    const expected = new Set(NICKS.flatMap((n) => Array.from({ length: PER_CLIENT }, (_, i) => `${n}: ${n} ${i + 1}`)));
    const order = view(newcomer, true);
    expect(order.length, 'the newcomer history holds each message once').to.equal(total);
    expect(new Set(order), 'the newcomer history holds every message').to.deep.equal(expected);
    for (const [k, c] of clients.entries()) {
      expect(view(c, false), `${NICKS[k]}'s view: every message once, in the newcomer's order`).to.deep.equal(order);
      const notices = c.stdout.slice(joinedLines[k], beforeNewcomer[k]).filter((l) => /^\d\d:\d\d:\d\d \* \S+ (joined|left)/.test(l) || / \* (you joined|rejoined) as /.test(l));
      expect(notices, `${NICKS[k]} sees no leave or join notices across the restart`).to.deep.equal([]);
    }
  } finally {
    // The restarted server may still be writing its store (sessions.json): stop it first, or a file
    // it creates after rmSync emptied the directory fails the removal (ENOTEMPTY; retries do not
    // empty the directory again).
    await server?.proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a durable server killed during traffic (e2e)', function () {
  this.timeout(120_000);
  afterEach(async function () {
    await cleanupAll({ dumpOutput: this.currentTest?.state === 'failed' });
  });

  it('loses no message and shows none twice: 3 clients × 200 messages at 50 msg/s, kill -9 and restart', async () => {
    await run(0);
  });

  it('does the same through 20% loss both ways', async () => {
    await run(20);
  });

  it('continues every session across a graceful stop and start, without leave or join entries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udp-chat-durable-'));
    try {
      const port = await freeUdpPort();
      const args = ['--port', String(port), '--data', dir];
      let server = await startServer(args);
      const ann = await startClient('ann', port);
      const ben = await startClient('ben', port);
      await ann.waitForLine(/\* ben joined$/);
      ann.write('before');
      await ben.waitForLine(/ ann: before$/);
      const from = [ann.stdout.length, ben.stdout.length];
      server.proc.kill('SIGTERM');
      expect((await server.proc.exited).code).to.equal(0);
      // What the store did, with what the disk held up (docs/storage.md "Where the tail comes from").
      expect(server.proc.stderr.some((l) => /store stats: \d+ records in \d+ writes and \d+ flushes .*; \d+ commits over 10 ms, the longest [\d.]+ ms$/.test(l))).to.equal(true);
      server = await startServer(args);
      ben.write('after');
      await ann.waitForLine(/ ben: after$/, 10_000);
      for (const [k, c] of [ann, ben].entries()) {
        expect(c.stdout.slice(from[k]).filter((l) => / \* \S+ (joined|left)/.test(l)), 'no leave or join entries').to.deep.equal([]);
      }
      expect(server.proc.stderr.filter((l) => / join /.test(l)).every((l) => l.endsWith('(resumed)')), 'every join after the restart is a resume').to.equal(true);
    } finally {
      // A server still runs (afterEach stops it) and may be writing: retry on ENOTEMPTY.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    }
  });

  it('refuses a second server on the same store with one line and exit status 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udp-chat-durable-'));
    try {
      await startServer(['--data', dir]);
      const second = runCli('server2', ['serve', '--host', '127.0.0.1', '--port', '0', '--data', dir]);
      expect((await second.exitCode(10_000)).code).to.equal(1);
      expect(second.stderr).to.have.length(1);
      expect(second.stderr[0]).to.match(/^udp-chat: .* is in use by another udp-chat process \(pid \d+\); stop it or choose another store$/);
    } finally {
      // A server still runs (afterEach stops it) and may be writing: retry on ENOTEMPTY.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    }
  });
});
