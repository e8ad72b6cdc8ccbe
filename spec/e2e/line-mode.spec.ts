/**
 * The real `udp-chat serve` and `udp-chat join --plain` processes on loopback, driven through
 * stdin/stdout like a script would. Each test starts its own server on port 0.
 */
import { expect } from 'chai';
import {
  chatMessages,
  cleanupAll,
  freeUdpPort,
  messageLine,
  runCli,
  startClient,
  startServer,
  type CliProcess,
} from '../support/processes.js';

const TIME = String.raw`\d\d:\d\d:\d\d`;
const presence = (text: string): RegExp => new RegExp(`^${TIME} \\* ${text.replace(/[()]/g, '\\$&')}$`);
const fromNick = (nick: string): RegExp => new RegExp(`^${TIME} ${nick}: `);

/** Texts of the non-history chat messages `proc` printed from `nick`. */
function textsFrom(proc: CliProcess, nick: string): string[] {
  return chatMessages(proc.stdout)
    .filter((m) => !m.history && m.nick === nick)
    .map((m) => m.text);
}

function expectRefusedAsTaken(proc: CliProcess, code: number | null): void {
  expect(code, proc.explain('exit code')).to.be.a('number').and.not.equal(0);
  const line = proc.stderr.find((l) => l.startsWith('udp-chat:'));
  expect(line, proc.explain('has no "udp-chat:" line on stderr')).to.be.a('string');
  expect(line, proc.explain('does not say taken / in use')).to.match(/taken|in use/i);
}

describe('udp-chat line mode (e2e)', function () {
  this.timeout(30_000);
  afterEach(function () {
    return cleanupAll({ dumpOutput: this.currentTest?.state === 'failed' });
  });

  describe('serve', function () {
    it('prints its address and exits 0 on SIGINT and SIGTERM, even right after it is ready', async function () {
      // Five rounds each, signalled as soon as the "listening" line arrives, as a supervisor would.
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT', 'SIGTERM'] as const) {
        const server = await startServer();
        expect(server.proc.stdout[0]).to.match(/^udp-chat listening on 127\.0\.0\.1:\d+$/);
        server.proc.kill(signal);
        const exit = await server.proc.exitCode(5000);
        expect(exit, server.proc.explain(`exit after ${signal}`)).to.deep.equal({ code: 0, signal: null });
      }
    });
  });

  describe('join', function () {
    it('announces the join and lets two clients exchange messages', async function () {
      const { port } = await startServer();
      const alice = await startClient('alice', port);
      expect(alice.stdout.find((l) => l.includes('you joined as'))).to.match(presence('you joined as alice'));
      const bob = await startClient('bob', port);
      await alice.waitForLine(presence('bob joined'));

      alice.write('hello bob');
      await bob.waitForLine(messageLine('alice', 'hello bob'));
      await alice.waitForLine(messageLine('alice', 'hello bob')); // own message, echoed in room order
      bob.write('hi alice, how are you?');
      await alice.waitForLine(messageLine('bob', 'hi alice, how are you?'));
      await bob.waitForLine(messageLine('bob', 'hi alice, how are you?'));
    });

    it('answers /whois with who holds a nick (bound to the user key of its sealed join)', async function () {
      const { port } = await startServer();
      const alice = await startClient('alice', port);
      const bob = await startClient('bob', port);
      await alice.waitForLine(presence('bob joined'));
      bob.write('/whois ALICE');
      await bob.waitForLine(/^\d\d:\d\d:\d\d \* alice: owned by SHA256:[A-Za-z0-9+/]{43} \(online; last used .* UTC\)$/);
      bob.write('/whois nobody');
      await bob.waitForLine(presence('nobody: not bound to a user key (not online)'));
    });

    it('delivers Cyrillic, CJK and emoji byte for byte', async function () {
      const texts = [
        'Привет, мир! Съешь же ещё этих мягких французских булок',
        '你好，世界 — こんにちは世界 — 안녕하세요',
        'family 👨‍👩‍👧‍👦 and 👩🏽‍💻, flags 🇺🇦 🇯🇵 🏳️‍🌈',
      ];
      const { port } = await startServer();
      const alice = await startClient('alice', port);
      const bob = await startClient('bob', port);
      for (const text of texts) alice.write(text);
      for (const text of texts) await bob.waitForLine(messageLine('alice', text));

      expect(textsFrom(bob, 'alice')).to.deep.equal(texts);
      const raw = bob.stdoutBytes();
      for (const text of texts) {
        expect(raw.includes(Buffer.from(` alice: ${text}\n`, 'utf8')), `bytes of ${text}`).to.equal(true);
      }
    });

    it('accepts a Cyrillic nick and shows it as typed', async function () {
      const { port } = await startServer();
      const bob = await startClient('bob', port);
      const julia = await startClient('Юля', port);
      await bob.waitForLine(presence('Юля joined'));
      julia.write('привет');
      await bob.waitForLine(messageLine('Юля', 'привет'));
    });

    it('replays history to a latecomer between the history markers', async function () {
      const { port } = await startServer();
      const alice = await startClient('alice', port);
      for (const text of ['one', 'two', 'three']) alice.write(text);
      await alice.waitForLine(messageLine('alice', 'three'));

      const carol = await startClient('carol', port);
      await carol.waitForLine(/^-- end of history --$/);
      const start = carol.stdout.indexOf('-- history --');
      const end = carol.stdout.indexOf('-- end of history --');
      expect(start, carol.explain('has no history start marker')).to.be.at.least(0);
      expect(end).to.be.greaterThan(start);
      const replayed = chatMessages(carol.stdout.slice(start, end + 1));
      expect(replayed.map((m) => `${m.nick}: ${m.text}`)).to.deep.equal(['alice: one', 'alice: two', 'alice: three']);
      expect(replayed.every((m) => m.history)).to.equal(true);

      alice.write('four');
      await carol.waitForLine(messageLine('alice', 'four'));
      expect(textsFrom(carol, 'alice')).to.deep.equal(['four']);
    });

    for (const [title, nick] of [
      ['refuses a nick that is taken', 'alice'],
      ['refuses a nick that differs only in case', 'ALICE'],
      ['refuses a nick that differs only by a Cyrillic look-alike letter', '\u0430lice'],
    ] as const) {
      it(title, async function () {
        const { port } = await startServer();
        const alice = await startClient('alice', port);
        const intruder = runCli('intruder', ['join', '--nick', nick, '--server', `127.0.0.1:${port}`, '--plain']);
        const { code } = await intruder.exitCode(8000);
        expectRefusedAsTaken(intruder, code);
        expect(intruder.stdout.some((l) => l.includes('you joined as'))).to.equal(false);

        alice.write('still here');
        await alice.waitForLine(messageLine('alice', 'still here'));
      });
    }

    it('delivers all piped lines to another client before exiting 0 at EOF', async function () {
      const { port } = await startServer();
      const bob = await startClient('bob', port);
      const lines = Array.from({ length: 50 }, (_, i) => `piped line ${i + 1} of 50`);
      // Like `seq … | udp-chat join …`: the lines and EOF arrive before the join completes.
      const alice = runCli('alice', ['join', '--nick', 'alice', '--server', `127.0.0.1:${port}`, '--plain']);
      alice.writeLines(lines);
      alice.end();

      const exit = await alice.exitCode(15_000);
      expect(exit, alice.explain('exit')).to.deep.equal({ code: 0, signal: null });
      await bob.waitForLines(fromNick('alice'), 50, 3000);
      expect(textsFrom(bob, 'alice')).to.deep.equal(lines);
      await bob.waitForLine(presence('alice left (quit)'), 3000);
    });

    it('exits non-zero at EOF and says how many messages were not delivered when the server is gone', async function () {
      const server = await startServer();
      const alice = await startClient('alice', server.port, { extraArgs: ['--wait', '2'] });
      server.proc.kill('SIGKILL');
      await server.proc.exitCode(5000);
      alice.writeLines(['lost 1', 'lost 2', 'lost 3']);
      alice.end();

      const { code } = await alice.exitCode(10_000);
      expect(code, alice.explain('exit code')).to.be.a('number').and.not.equal(0);
      const line = alice.stderr.find((l) => l.startsWith('udp-chat:'));
      expect(line, alice.explain('has no "udp-chat:" line on stderr')).to.be.a('string');
      expect(line).to.match(/\b3\b.*not delivered/);
    });

    it('leaves with /q and /quit, exits 0, and the others see "left (quit)"', async function () {
      const { port } = await startServer();
      const bob = await startClient('bob', port);
      const alice = await startClient('alice', port);
      const carol = await startClient('carol', port);
      alice.write('/q');
      carol.write('/quit');

      for (const proc of [alice, carol]) {
        const exit = await proc.exitCode(5000);
        expect(exit, proc.explain('exit')).to.deep.equal({ code: 0, signal: null });
      }
      await bob.waitForLine(presence('alice left (quit)'));
      await bob.waitForLine(presence('carol left (quit)'));
      expect(textsFrom(bob, 'alice')).to.deep.equal([]); // "/q" is a command, not a message
    });

    it('shows terminal control sequences from the network escaped', async function () {
      const hostile = [
        'colour \x1b[31mRED\x1b[0m \x1b[2J done',
        'clipboard \x1b]52;c;aGVsbG8=\x07 done',
        'bidi \u202Eevil\u202C \u2066iso\u2069 done',
        'c1 \u009b31m done',
      ];
      const { port } = await startServer();
      const alice = await startClient('alice', port);
      const bob = await startClient('bob', port);
      for (const text of hostile) alice.write(text);
      const shown = await bob.waitForLines(fromNick('alice'), hostile.length, 5000);
      await alice.waitForLines(fromNick('alice'), hostile.length, 5000);

      for (const proc of [bob, alice]) {
        const raw = proc.stdoutBytes();
        expect(raw.includes(0x1b), proc.explain('printed a raw ESC byte')).to.equal(false);
        expect(raw.includes(0x07), proc.explain('printed a raw BEL byte')).to.equal(false);
        for (const ch of ['\u009b', '\u202e', '\u202c', '\u2066', '\u2069']) {
          const hex = ch.codePointAt(0)?.toString(16);
          expect(proc.stdout.join('\n').includes(ch), proc.explain(`printed a raw U+${hex}`)).to.equal(false);
        }
      }
      expect(shown[0]).to.include('\\x1b').and.include('RED').and.include('done');
      expect(shown[1]).to.include('\\x1b').and.include('52;c;aGVsbG8=').and.include('done');
      expect(shown[2]).to.include('evil').and.include('iso').and.include('done');
      expect(shown[3]).to.include('31m done');
    });

    it('exits non-zero within --timeout when no server answers', async function () {
      const port = await freeUdpPort();
      const started = Date.now();
      const alice = runCli('alice', ['join', '--nick', 'alice', '--server', `127.0.0.1:${port}`, '--plain', '--timeout', '2']);
      const { code } = await alice.exitCode(6000);
      const elapsed = Date.now() - started;
      expect(code, alice.explain('exit code')).to.be.a('number').and.not.equal(0);
      expect(elapsed, 'exit time in ms').to.be.below(2000 + 1500);
      const line = alice.stderr.find((l) => l.startsWith('udp-chat:'));
      expect(line, alice.explain('has no "udp-chat:" line on stderr')).to.be.a('string');
      expect(line).to.match(/unreachable|no answer|no reply|no response|not respond|did not answer|timed out|timeout|could not reach/i);
    });
    it('exits 1 within about a second saying nothing is listening when the port is closed (ICMP)', async function () {
      const port = await freeUdpPort();
      const started = Date.now();
      const alice = runCli('alice', ['join', '--nick', 'alice', '--server', `127.0.0.1:${port}`, '--plain']);
      const { code } = await alice.exitCode(8000);
      expect(code, alice.explain('exit code')).to.equal(1);
      // Well under --timeout's 10 s (bounded loosely: process start-up on a loaded machine).
      expect(Date.now() - started, 'exit time in ms').to.be.below(5000);
      expect(alice.stderr.join('\n'), alice.explain('the reason')).to.include(`nothing is listening at 127.0.0.1:${port} (port unreachable)`);
    });
  });

  describe('liveness', function () {
    it('evicts a stopped client (SIGSTOP) and announces it, keeps an idle one, and the stopped one rejoins when continued', async function () {
      // --idle-timeout 3: heartbeats every 500 ms, eviction after 3–4 s of silence.
      const { port } = await startServer(['--idle-timeout', '3']);
      const alice = await startClient('alice', port);
      const idle = await startClient('idle', port);
      const frozen = await startClient('frozen', port);
      await alice.waitForLine(presence('frozen joined'));
      frozen.kill('SIGSTOP');
      await alice.waitForLine(presence('frozen left (timeout)'), 8000);
      expect(alice.stdout.some((l) => /\* idle left/.test(l)), 'the idle (but alive) client was never evicted').to.equal(false);
      alice.write('while frozen was away');
      await idle.waitForLine(messageLine('alice', 'while frozen was away'), 5000);
      frozen.kill('SIGCONT');
      await frozen.waitForLine(presence('rejoined as frozen'), 10_000);
      // What was said while it was away is delivered after the rejoin (resume on the same server).
      await frozen.waitForLine(messageLine('alice', 'while frozen was away'), 5000);
      await alice.waitForLine(presence('frozen joined'), 5000);
    });

    it('says nothing about the server after being stopped (SIGSTOP) for longer than the stall time: what was sent meanwhile is waiting', async function () {
      // --idle-timeout 4: heartbeats every 667 ms, "not answering" after 2.3 s of silence, eviction after 4 s.
      // After SIGCONT, Node runs the due timer before reading the socket or after, as it happens (the
      // deterministic spec in spec/client/client-core.spec.ts pins the timer-first case); two rounds.
      const { port } = await startServer(['--idle-timeout', '4']);
      const alice = await startClient('alice', port);
      const stopped = await startClient('stopped', port);
      await alice.waitForLine(presence('stopped joined'));
      const from = stopped.stdout.length;
      for (const round of [1, 2]) {
        stopped.kill('SIGSTOP');
        alice.write(`while stopped ${round}`);
        await new Promise((r) => setTimeout(r, 3_000));
        stopped.kill('SIGCONT');
        await stopped.waitForLine(messageLine('alice', `while stopped ${round}`), 5000);
        await new Promise((r) => setTimeout(r, 300));
      }
      // Past the grace after waking (2 s): the server answered, so no outage was ever announced.
      await new Promise((r) => setTimeout(r, 2_000));
      const notices = stopped.stdout.slice(from).filter((l) => /^\d\d:\d\d:\d\d \* /.test(l));
      expect(notices, stopped.explain('printed a notice after SIGCONT')).to.deep.equal([]);
      expect(alice.stdout.some((l) => /\* stopped left/.test(l)), 'not evicted').to.equal(false);
    });
  });

  describe('server restarts', function () {
    async function chatAgain(alice: CliProcess, bob: CliProcess, text: string): Promise<void> {
      alice.write(text);
      await bob.waitForLine(messageLine('alice', text), 5000);
    }

    it('rejoins by itself after the server stops (SIGTERM) and starts again on the same port', async function () {
      const first = await startServer();
      const alice = await startClient('alice', first.port);
      const bob = await startClient('bob', first.port);
      await chatAgain(alice, bob, 'before the restart');

      first.proc.kill('SIGTERM');
      const exit = await first.proc.exitCode(5000);
      expect(exit, first.proc.explain('exit')).to.deep.equal({ code: 0, signal: null });
      await alice.waitForLine(/reconnecting/, 5000);
      await bob.waitForLine(/reconnecting/, 5000);

      await startServer(['--port', String(first.port)]);
      await alice.waitForLine(presence('rejoined as alice'), 10_000);
      await bob.waitForLine(presence('rejoined as bob'), 10_000);
      await chatAgain(alice, bob, 'after the restart');
    });

    it('rejoins by itself after the server is killed (SIGKILL) and restarted on the same port', async function () {
      // A short idle timeout shortens the heartbeat, so the silence is noticed in seconds.
      const first = await startServer(['--idle-timeout', '6']);
      const alice = await startClient('alice', first.port);
      const bob = await startClient('bob', first.port);
      await chatAgain(alice, bob, 'before the crash');

      first.proc.kill('SIGKILL');
      await first.proc.exitCode(5000);
      // No BYE: the clients notice the silence after about two heartbeats.
      await Promise.all([alice.waitForLine(/reconnecting/, 20_000), bob.waitForLine(/reconnecting/, 20_000)]);

      await startServer(['--port', String(first.port), '--idle-timeout', '6']);
      await Promise.all([
        alice.waitForLine(presence('rejoined as alice'), 10_000),
        bob.waitForLine(presence('rejoined as bob'), 10_000),
      ]);
      await chatAgain(alice, bob, 'after the crash');
    });
  });
});
