/**
 * runTui's life cycle against the fake session: commands, leaving and restoring the terminal,
 * a refused nick, losing the server, resizing.
 */
import { expect } from 'chai';
import { KEY, startTui, type Harness } from './helpers/headless.js';

describe('runTui', () => {
  let h: Harness;

  afterEach(async () => {
    await h.dispose();
  });

  function inputLine(): string {
    return h.lines().find((l) => /^│\S*> /u.test(l)) ?? '';
  }

  /** The terminal is back as it was: normal buffer, cursor visible, no mouse reporting. */
  async function expectRestored(): Promise<void> {
    await h.waitFor(() => h.term.buffer.active.type === 'normal', 'the normal screen buffer');
    const out = h.written();
    expect(h.term.buffer.active.type).to.equal('normal');
    expect(out.lastIndexOf('\x1b[?25h')).to.be.greaterThan(out.lastIndexOf('\x1b[?25l'));
    expect(h.term.modes.mouseTrackingMode).to.equal('none');
    expect(h.term.modes.applicationCursorKeysMode).to.equal(false);
    expect(h.session.listenerTotal).to.equal(0);
  }

  describe('leaving', () => {
    beforeEach(async () => {
      h = await startTui();
      await h.waitForText('Connected to');
    });

    for (const [how, keys] of [['/q', ['/q', KEY.enter]], ['/quit', ['/quit', KEY.enter]], ['Ctrl-C', [KEY.ctrlC]], ['Ctrl-D on an empty line', [KEY.ctrlD]]] as const) {
      it(`${how} leaves the session, restores the terminal and resolves 0`, async () => {
        for (const k of keys) {
          if (k.startsWith('/')) await h.type(k);
          else await h.press(k);
        }
        expect(await h.exit).to.equal('left');
        expect(h.session.leaves).to.equal(1);
        expect(h.session.said).to.deep.equal([]);
        await expectRestored();
      });
    }

    it('leaves cleanly on SIGTERM and when the input ends', async () => {
      // Without our handler, blessed's would call process.exit: make sure ours is there first.
      expect(process.listenerCount('SIGTERM')).to.be.at.least(2);
      process.emit('SIGTERM');
      expect(await h.exit).to.equal('left');
      expect(h.session.leaves).to.equal(1);
      await expectRestored();
      await h.dispose();
      h = await startTui();
      h.input.end();
      expect(await h.exit).to.equal('left');
      await expectRestored();
    });

    it('leaves no listeners behind on the process or the streams', async () => {
      await h.dispose();
      const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'exit', 'uncaughtException'] as const;
      const before = events.map((e) => process.listenerCount(e));
      h = await startTui();
      expect(events.map((e) => process.listenerCount(e))).not.to.deep.equal(before);
      await h.press(KEY.ctrlC);
      await h.exit;
      expect(events.map((e) => process.listenerCount(e))).to.deep.equal(before);
      expect(h.input.listenerCount('keypress')).to.equal(0);
      expect(h.output.listenerCount('resize')).to.equal(0);
    });

    it('waits for leave() but a second Ctrl-C restores the terminal at once', async () => {
      h.session.leaveDelayMs = 5000;
      const started = Date.now();
      await h.press(KEY.ctrlC);
      await h.waitForText('leaving');
      await h.press(KEY.ctrlC);
      expect(await h.exit).to.equal('left');
      expect(Date.now() - started).to.be.lessThan(2000);
      await expectRestored();
    });

    it('resolves 1 when the session was closed by the other side', async () => {
      h.session.emitEvent({ type: 'closed', reason: 'cut off by the server', left: false });
      await h.waitForText('Disconnected: cut off by the server');
      await h.type('still there?');
      await h.press(KEY.enter);
      await h.waitForText('session is closed');
      await h.type('/q');
      await h.press(KEY.enter);
      expect(await h.exit).to.equal('cut-off');
      await expectRestored();
    });
  });

  describe('local commands', () => {
    beforeEach(async () => {
      h = await startTui();
      await h.waitForText('Connected to');
    });

    it('/help lists the commands, including //', async () => {
      await h.type('/help');
      await h.press(KEY.enter);
      await h.waitForText('//text');
      expect(h.lines().join('\n')).to.contain('/quit').and.to.contain('/clear');
      expect(h.session.said).to.deep.equal([]);
    });

    /** The column (in the log box) where a row's text starts. */
    function textColumn(row: string): number {
      return row.slice(1).search(/\S/u);
    }

    it('/help: a line that wraps goes on under its description, or 4 columns in when the log is narrow', async () => {
      await h.type('/help');
      await h.press(KEY.enter);
      await h.waitForText('//text');
      const rows = h.lines();
      const msg = rows.findIndex((l) => l.includes('//text  '));
      const description = (rows[msg] as string).slice(1).indexOf('send "/text"');
      expect(description, 'the // line wraps at 80 columns').to.be.greaterThan(20);
      expect(textColumn(rows[msg + 1] as string), h.lines().join('\n')).to.equal(description);
      await h.dispose();
      h = await startTui({ cols: 40 });
      await h.waitForText('Connected to');
      await h.type('/help');
      await h.press(KEY.enter);
      await h.waitForText('//text');
      const narrow = h.lines();
      const at = narrow.findIndex((l) => l.includes('/whois nick'));
      expect(textColumn(narrow[at] as string)).to.equal(2);
      expect(textColumn(narrow[at + 1] as string), narrow.join('\n')).to.equal(4);
    });

    it('/clear empties the log', async () => {
      h.session.message('alice', 'something to clear');
      await h.waitForText('something to clear');
      await h.type('/clear');
      await h.press(KEY.enter);
      await h.waitFor(() => !h.lines().join('\n').includes('something to clear'), 'the log cleared');
    });

    it('an unknown command shows a hint, is not sent and stays in the input line; // sends a line starting with /', async () => {
      await h.type('/shrug hi');
      await h.press(KEY.enter);
      await h.waitForText('Unknown command /shrug');
      expect(inputLine()).to.match(/^│> \/shrug hi +│$/u);
      await h.press(KEY.ctrlU);
      await h.type('/me');
      await h.press(KEY.enter);
      await h.waitForText('/me action: what do you do?');
      expect(inputLine()).to.match(/^│> \/me +│$/u);
      await h.press(KEY.ctrlU);
      await h.type('//shrug hi');
      await h.press(KEY.enter);
      expect(h.session.said).to.deep.equal(['/shrug hi']);
    });

    it('shows why a message was not sent', async () => {
      h.session.sayError = new Error('not joined yet');
      await h.type('hello');
      await h.press(KEY.enter);
      await h.waitForText('Not sent: not joined yet');
      h.session.emitEvent({ type: 'refused', text: 'x'.repeat(2000), code: 'UDPCHAT_ERR_TEXT_TOO_LONG', reason: 'too long' });
      await h.waitForText('Not sent (too long)');
    });
  });

  describe('joining and connection', () => {
    it('asks for another nick in the UI when the nick is taken, keeping the draft', async () => {
      h = await startTui({ session: { nick: 'bob', state: 'joining' } });
      await h.type('my draft');
      h.session.joinFailed('UDPCHAT_ERR_NICK_TAKEN', 'nickname in use');
      await h.waitForText('Cannot join as bob: nickname in use');
      await h.waitFor(() => inputLine().startsWith('│nick> bob '), 'the nick prompt, with the refused nick to edit');
      expect(h.lines().join('\n')).to.contain('choose a nickname');
      await h.type('by');
      await h.press(KEY.enter);
      expect(h.session.joins).to.deep.equal(['bobby']);
      await h.waitForText('joining…');
      h.session.joined('bobby');
      await h.waitForText('Joined as bobby');
      await h.waitFor(() => inputLine().startsWith('│> my draft'), 'the draft back');
      expect(h.lines().join('\n')).to.contain('as bobby');
    });

    it('shows "reconnecting" when the server is lost and recovers when the session rejoins', async () => {
      h = await startTui();
      h.session.setState('online', 8);
      await h.waitForText('online  rtt 8 ms');
      h.session.setState('reconnecting', 8);
      // The last round trip measured says nothing about a server that is not answering.
      await h.waitForText('reconnecting…  rtt -');
      await h.waitForText('Lost the server');
      h.session.joined('me', true);
      h.session.setState('online', 3);
      await h.waitForText('Reconnected as me');
      await h.waitForText('online');
    });

    it('does not repeat the loss when the session already explained it in a notice', async () => {
      h = await startTui();
      // As the core sends it: a lost session's notice carries `lost` (lib/client/outage-notices.ts).
      h.session.emitEvent({ type: 'notice', text: 'connection lost: the server is shutting down; reconnecting…', lost: true });
      h.session.setState('reconnecting');
      await h.waitForText('connection lost: the server is shutting down');
      await h.waitForText('reconnecting…  rtt');
      expect(h.lines().join('\n')).not.to.contain('Lost the server');
    });

    it('retries on its own when the server cannot be reached at join, never saying "reconnecting"', async () => {
      h = await startTui({ session: { state: 'joining' } });
      h.session.joinFailed('UDPCHAT_ERR_SERVER_UNREACHABLE', 'no answer from the server');
      await h.waitForText('Retrying in');
      await h.waitForText('not joined, retrying in 1 s');
      await h.waitFor(() => h.session.joins.length === 1, 'a new join()', 3000);
      expect(h.session.joins).to.deep.equal([undefined]);
      await h.press(KEY.end); // any key: a render after the join() call
      const screen = h.lines().join('\n');
      expect(screen, 'joining again, not reconnecting: it never connected').to.contain('joining…');
      expect(screen).not.to.contain('reconnecting');
      h.session.joined('me');
      await h.waitForText('Joined as me');
      await h.waitForText('online  rtt');
      h.session.setState('reconnecting');
      await h.waitForText('reconnecting…');
    });

    for (const code of ['UDPCHAT_ERR_SERVER_KEY_CHANGED', 'UDPCHAT_ERR_WRONG_PASSPHRASE'] as const) {
      it(`stops trying after ${code} (trying again cannot help), sends nothing, and resolves 'refused'`, async () => {
        h = await startTui({ session: { state: 'joining' } });
        h.session.joinFailed(code, "WARNING: the server's key is SHA256:x, not SHA256:y");
        await h.waitForText('Cannot join: WARNING');
        await h.waitForText('Type /quit to exit (and join again');
        const screen = h.lines().join('\n');
        expect(screen).not.to.contain('Retrying in');
        await h.type('hello');
        await h.press(KEY.enter);
        await h.waitForText('Not sent: the server refused the join');
        expect(h.session.said).to.deep.equal([]);
        // No new join() behind the user's back (the retry timer's first step is 1 s).
        await new Promise((r) => setTimeout(r, 1_300));
        expect(h.session.joins).to.deep.equal([]);
        await h.type('/q');
        await h.press(KEY.enter);
        expect(await h.exit).to.equal('refused');
      });
    }

    it('counts down while joining and says when nothing listens on the port', async () => {
      h = await startTui({ session: { state: 'joining' } });
      h.session.joinDeadline = Date.now() + 7_000;
      await h.waitForText('joining… 7 s');
      await h.waitForText('joining… 6 s', 2500);
      h.session.joinDeadline = undefined;
      h.session.emitEvent({ type: 'join-failed', code: 'UDPCHAT_ERR_SERVER_UNREACHABLE', reason: 'nothing is listening on that port', portUnreachable: true });
      await h.waitForText('Cannot join: nothing is listening at 127.0.0.1:7777');
      expect(h.lines().join('\n')).not.to.contain('reconnecting');
    });

    it('greys the member list while offline', async () => {
      h = await startTui({ session: { peers: ['alice', 'me'] } });
      await h.waitForText('alice');
      const colour = (): number | undefined => {
        const y = h.lines().findIndex((l) => l.includes('alice'));
        const x = (h.lines()[y] ?? '').indexOf('alice');
        return h.term.buffer.active.getLine(y)?.getCell(x)?.getFgColor();
      };
      const online = colour();
      h.session.setState('reconnecting');
      await h.waitFor(() => colour() === 244, 'alice greyed');
      expect(online).not.to.equal(244);
    });
  });

  describe('resizing', () => {
    it('relayouts without losing the draft', async () => {
      h = await startTui({ cols: 80, rows: 24, session: { peers: ['alice', 'me'] } });
      h.session.message('alice', 'a message long enough to wrap differently once the terminal gets narrower than it is');
      await h.type('draft survives resize');
      await h.press(KEY.left, KEY.left);
      await h.resize(50, 14);
      await h.waitFor(() => h.lines()[13]?.startsWith('└') === true, 'the new layout');
      expect(inputLine()).to.contain('draft survives resize');
      expect(h.cursor()).to.deep.equal({ x: 3 + 'draft survives resi'.length, y: 12 });
      expect(h.lines()[0], 'no room for the peer list: the count moves to the log label').to.contain('(2 online)');
      await h.resize(100, 30);
      await h.waitFor(() => h.lines()[29]?.startsWith('└') === true, 'the wider layout');
      expect(inputLine()).to.contain('draft survives resize');
      expect(h.lines().join('\n')).to.contain('2 online');
      await h.type('!');
      await h.press(KEY.enter);
      expect(h.session.said).to.deep.equal(['draft survives resi!ze']);
    });
  });

  it('does not ring the bell when bell is off', async () => {
    h = await startTui({ bell: false });
    h.session.message('alice', 'hey me');
    await h.waitForText('hey me');
    expect(h.written()).not.to.contain('\x07');
  });
});
