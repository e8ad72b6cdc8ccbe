/**
 * The first-contact note on a terminal (README "Trust on first use"): the real `udp-chat join` in
 * tmux, full screen and line mode at a prompt, each with its own fresh config directory. The note
 * ("First contact with HOST:PORT: its key is SHA256:… (remembered in …)") is shown once, in the
 * front end, escaped: the config directory's name carries an ESC, shown as `\x1b`. A second join
 * with the key remembered shows no note. Needs tmux (CI installs it).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../support/processes.js';
import { joinInTmux, useTmux } from '../support/tmux-client.js';
import { cleanupTmux, type TmuxSession } from '../support/tmux.js';

const FINGERPRINT = /SHA256:[A-Za-z0-9+/]{43}/;

/** `udp-chat join` as ann in tmux (wide enough for the note on one line), with its own config directory. */
function joinWithConfig(port: number, config: string, extra: readonly string[]): Promise<TmuxSession> {
  return joinInTmux(port, { args: extra, env: { XDG_CONFIG_HOME: config }, cols: 240, rows: 20 });
}

describe('the first-contact note on a terminal (e2e, tmux)', function () {
  this.timeout(30_000);
  let dir: string;

  useTmux();

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'udp-chat-first-contact-'));
  });

  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [front, extra, joined] of [
    ['the full-screen client', [], 'Joined as ann.'],
    ['line mode at a prompt (--plain)', ['--plain'], '* you joined as ann'],
  ] as const) {
    it(`${front}: shows it once, escaped, and not again once the key is remembered`, async function () {
      const server = await startServer();
      const fp = FINGERPRINT.exec(await server.proc.waitForLine(/server key: /))![0];
      const config = join(dir, 'cfg\u001b[7m');
      const first = await joinWithConfig(server.port, config, extra);
      const screen = await first.waitForScreen((s) => s.includes(joined) && s.includes('First contact with'), 10_000, 'joined, and the first-contact note');
      const note = screen.split('\n').find((l) => l.includes('First contact with')) ?? '';
      expect(note).to.include(`First contact with 127.0.0.1:${server.port}: its key is ${fp}`);
      expect(note).to.include('cfg\\x1b[7m/udp-chat/known_servers');
      expect(screen.match(/First contact with/g)).to.have.length(1);
      await cleanupTmux();
      const again = await joinWithConfig(server.port, config, extra);
      await again.waitForScreen((s) => s.includes(joined), 10_000, 'joined again');
      // The note would come with the handshake's answer, before anything of the room: none came (500 ms later either).
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await again.waitForScreen(() => true)).to.not.include('First contact');
    });
  }
});
