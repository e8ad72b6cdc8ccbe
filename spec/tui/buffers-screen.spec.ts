/**
 * Rooms and private conversations in the full-screen client (headless terminal, FakeSession): a
 * buffer per stream, the buffer list with unread counts and highlights, the activity in the status
 * line, switching with Alt-n, Alt-←/→ and Ctrl-PgUp/PgDn, the unread marker, the member list of
 * the buffer shown, and the commands that act on it.
 */
import { expect } from 'chai';
import type { StreamInfo } from '../../lib/client/rooms-api.js';
import { UNREAD_TEXT } from '../../lib/tui/buffers.js';
import { KEY, startTui, type Harness } from './helpers/headless.js';

const OPS: StreamInfo = { roomId: 5, kind: 'room', name: '#ops', topic: 'deploys on friday' };
const BOB: StreamInfo = { roomId: 9, kind: 'private', name: 'bob', topic: '' };
const ALT_1 = '\x1b1';
const ALT_2 = '\x1b2';
const ALT_3 = '\x1b3';
const ALT_LEFT = '\x1b[1;3D';
const ALT_RIGHT = '\x1b[1;3C';
const CTRL_PGUP = '\x1b[5;5~';
const CTRL_PGDN = '\x1b[6;5~';

describe('full-screen client: buffers', function () {
  let h: Harness;

  afterEach(async () => {
    await h.dispose();
  });

  const screen = (): string => h.lines().join('\n');
  const statusLine = (): string => h.lines().find((l) => l.startsWith(' 127.0.0.1:7777 ')) ?? '';
  /** The title row of the log (buffer number, name, topic). */
  const title = (): string => h.lines()[1] ?? '';

  async function inOps(): Promise<void> {
    h = await startTui({ cols: 100, rows: 24, session: { nick: 'ann', peers: ['ann', 'bob', 'cat'] } });
    await h.waitForText('Connected to');
    h.session.joined('ann');
    h.session.emitRoom({ type: 'stream', stream: OPS, opened: true });
    h.session.emitRoom({ type: 'members', roomId: 5, members: [{ nick: 'ann', away: false }, { nick: 'dan', away: true }] });
    await h.waitForText('buffers');
  }

  it('lists #lobby and a room joined in the background, counts its messages, and shows them in the status line', async () => {
    await inOps();
    expect(screen()).to.contain(' 1 #lobby').and.to.contain(' 2 #ops');
    h.session.emitEvent({ type: 'message', seq: 1, time: Date.now(), nick: 'dan', text: 'deploying now', own: false, history: false, roomId: 5 });
    h.session.emitEvent({ type: 'message', seq: 2, time: Date.now(), nick: 'dan', text: 'done', own: false, history: false, roomId: 5 });
    await h.waitForText(' 2 #ops 2');
    expect(statusLine()).to.contain('[Act: 2:#ops(2)]');
    expect(screen()).not.to.contain('deploying now');
    // The member list is #lobby's.
    expect(screen()).to.contain('│cat');
    await h.press(ALT_2);
    await h.waitForText('deploying now');
    expect(title()).to.contain(' 2 #ops: deploys on friday');
    expect(statusLine()).not.to.contain('[Act');
    expect(screen()).to.contain(UNREAD_TEXT);
    // The member list follows the buffer shown.
    expect(screen()).to.contain('│dan').and.not.to.contain('│cat');
    await h.press(ALT_1);
    await h.waitFor(() => !screen().includes('deploying now'), '#lobby shown again');
  });

  it('switches with Alt-←/→ and Ctrl-PgUp/PgDn, around the ends', async () => {
    await inOps();
    h.session.emitRoom({ type: 'stream', stream: BOB, opened: true });
    await h.waitForText(' 3 *bob*');
    await h.press(ALT_RIGHT);
    await h.waitFor(() => title().includes(' 2 #ops'), 'buffer 2');
    await h.press(CTRL_PGDN);
    await h.waitFor(() => title().includes(' 3 *bob*'), 'buffer 3');
    await h.press(ALT_RIGHT);
    await h.waitFor(() => title().includes(' 1 #lobby'), 'buffer 1 after the last');
    await h.press(ALT_LEFT);
    await h.waitFor(() => title().includes(' 3 *bob*'), 'buffer 3 before the first');
    await h.press(CTRL_PGUP);
    await h.waitFor(() => title().includes(' 2 #ops'), 'buffer 2 again');
  });

  it('highlights a private message and a mention in the buffer list and the status line, and rings the bell', async () => {
    await inOps();
    h.session.emitRoom({ type: 'stream', stream: BOB, opened: true });
    h.session.emitEvent({ type: 'message', seq: 1, time: Date.now(), nick: 'bob', text: 'psst', own: false, history: false, roomId: 9 });
    h.session.emitEvent({ type: 'message', seq: 1, time: Date.now(), nick: 'dan', text: 'ann: look', own: false, history: false, roomId: 5 });
    await h.waitForText(' 3 *bob* 1');
    expect(statusLine()).to.contain('[Act: 2:#ops(1) 3:*bob*(1)]');
    // Highlighted rows: black on yellow (the mention colour) in the buffer list.
    const row = h.lines().findIndex((l) => l.includes(' 3 *bob* 1'));
    const col = h.lines()[row]?.indexOf('*bob*') ?? -1;
    const cell = h.term.buffer.active.getLine(row)?.getCell(col);
    expect(cell?.getBgColor()).to.equal(11);
    expect(h.written()).to.contain('\x07');
    await h.press(ALT_3);
    await h.waitForText('<bob> psst');
    // /reply answers bob; plain lines in his buffer go to the conversation.
    await h.type('/reply hi bob');
    await h.press(KEY.enter);
    await h.type('and more');
    await h.press(KEY.enter);
    expect(h.session.calls).to.deep.include.members([
      { call: 'msg', nick: 'bob', text: 'hi bob', action: false },
      { call: 'say', roomId: 9, text: 'and more', action: false },
    ]);
  });

  it('runs the commands for the buffer shown: /me, /topic, /who, /part; /join and /query open and show buffers', async () => {
    await inOps();
    await h.press(ALT_2);
    await h.waitFor(() => title().includes('#ops'), '#ops shown');
    for (const line of ['/me waves', '/topic freeze', '/topic', '/who', '/part bye']) {
      await h.type(line);
      await h.press(KEY.enter);
    }
    await h.waitForText('In #ops (2): ann, dan (away)');
    expect(screen()).to.contain('Topic of #ops: deploys on friday');
    expect(h.session.calls).to.deep.equal([
      { call: 'say', roomId: 5, text: 'waves', action: true },
      { call: 'topic', roomId: 5, text: 'freeze' },
      { call: 'part', roomId: 5, reason: 'bye' },
    ]);
    h.session.emitRoom({ type: 'stream-closed', roomId: 5, name: '#ops', why: 'parted' });
    await h.waitForText('You left #ops.');
    expect(screen()).not.to.contain(' 2 #ops');
    // /join asks; the buffer opens and is shown when the server says so.
    await h.type('/join #dev');
    await h.press(KEY.enter);
    expect(h.session.calls.at(-1)).to.deep.equal({ call: 'joinRoom', name: '#dev' });
    h.session.emitRoom({ type: 'stream', stream: { roomId: 7, kind: 'room', name: '#dev', topic: '' }, opened: true });
    await h.waitFor(() => title().includes(' 2 #dev'), '#dev shown');
    // /query opens a buffer at once; its first line opens the conversation.
    await h.type('/query cat');
    await h.press(KEY.enter);
    await h.waitFor(() => title().includes(' 3 *cat*'), '*cat* shown');
    await h.type('hello cat');
    await h.press(KEY.enter);
    expect(h.session.calls.at(-1)).to.deep.equal({ call: 'msg', nick: 'cat', text: 'hello cat', action: false });
    h.session.emitRoom({ type: 'stream', stream: { roomId: 11, kind: 'private', name: 'cat', topic: '' }, opened: true });
    h.session.emitEvent({ type: 'message', seq: 1, time: Date.now(), nick: 'ann', text: 'hello cat', own: true, history: false, roomId: 11 });
    await h.waitForText('<ann> hello cat');
    expect(screen()).not.to.contain(' 4 ');
  });

  it('/msg from another buffer: your own line in the conversation is not unread; the answer is', async () => {
    await inOps();
    await h.type('/msg cat hi there');
    await h.press(KEY.enter);
    expect(h.session.calls.at(-1)).to.deep.equal({ call: 'msg', nick: 'cat', text: 'hi there', action: false });
    h.session.emitRoom({ type: 'stream', stream: { roomId: 11, kind: 'private', name: 'cat', topic: '' }, opened: true });
    h.session.emitEvent({ type: 'message', seq: 1, time: Date.now(), nick: 'ann', text: 'hi there', own: true, history: false, roomId: 11 });
    h.session.emitEvent({ type: 'message', seq: 2, time: Date.now(), nick: 'ann', text: 'waves', own: true, history: false, roomId: 11, action: true });
    await h.waitForText(' 3 *cat*');
    expect(title()).not.to.contain('*cat*');
    expect(statusLine()).not.to.contain('[Act');
    h.session.emitEvent({ type: 'message', seq: 3, time: Date.now(), nick: 'cat', text: 'hello ann', own: false, history: false, roomId: 11 });
    await h.waitFor(() => statusLine().includes('[Act: 3:*cat*(1)]'), 'the answer counted');
    await h.press(ALT_3);
    await h.waitForText('<cat> hello ann');
    // The unread marker sits above the answer, not above your own line.
    const lines = h.lines();
    const marker = lines.findIndex((l) => l.includes(UNREAD_TEXT));
    expect(marker).to.be.greaterThan(lines.findIndex((l) => l.includes('<ann> hi there')));
  });

  it('shows renames, away, parts and topics in their buffers; a refused command says why and keeps what it carried', async () => {
    await inOps();
    const at = { roomId: 5, seq: 3, time: Date.now(), history: false };
    h.session.emitRoom({ type: 'rename', from: 'dan', to: 'daniel', ...at });
    h.session.emitRoom({ type: 'away', nick: 'daniel', away: false, reason: '', ...at });
    h.session.emitRoom({ type: 'part', nick: 'daniel', reason: 'lunch', ...at });
    h.session.emitRoom({ type: 'topic', nick: 'ann', topic: 'thaw', ...at });
    h.session.emitRoom({ type: 'command-refused', op: 'msg', target: 'eve', text: 'are you there?', code: 'UDPCHAT_ERR_NOT_ONLINE' as never, reason: 'eve is not online' });
    await h.waitForText('eve is not online. Not sent: are you there?');
    // A room message the server no longer takes (it restarted): why, in words, and the text; no stream id, no "/say".
    h.session.emitRoom({ type: 'command-refused', op: 'say', target: '#ops', text: 'lost words', code: 'UDPCHAT_ERR_NO_SUCH_ROOM' as never, reason: 'not in stream 2999645714' });
    await h.waitForText('Your message in #ops was not delivered: you');
    await h.waitForText('Not sent: lost words');
    expect(screen()).not.to.contain('2999645714').and.not.to.contain('/say');
    await h.press(ALT_2);
    await h.waitForText('dan is now known as daniel');
    expect(screen()).to.contain('daniel is back').and.to.contain('daniel left #ops (lunch)').and.to.contain('ann set the topic: thaw');
    expect(title()).to.contain('#ops: thaw');
    // System lines do not count as unread.
    expect(statusLine()).not.to.contain('[Act');
  });

  it('/ignore hides someone on this screen; /unignore shows them again', async () => {
    await inOps();
    await h.type('/ignore bob');
    await h.press(KEY.enter);
    await h.waitForText('Ignoring bob');
    h.session.message('bob', 'spam spam');
    h.session.message('cat', 'not spam');
    await h.waitForText('not spam');
    expect(screen()).not.to.contain('spam spam');
    await h.type('/unignore bob');
    await h.press(KEY.enter);
    h.session.message('bob', 'sorry');
    await h.waitForText('<bob> sorry');
  });

  it('/ignore hides every spelling the server takes as the same name (§5.3): /ignore борис hides Борис', async () => {
    await inOps();
    await h.type('/ignore борис');
    await h.press(KEY.enter);
    await h.waitForText('Ignoring борис');
    h.session.message('Борис', 'spam spam');
    h.session.message('cat', 'not spam');
    await h.waitForText('not spam');
    expect(screen()).not.to.contain('spam spam');
  });

  it('passes the other commands to the session, and refuses in one line what cannot be done, keeping the draft', async () => {
    await inOps();
    const enter = async (line: string): Promise<void> => {
      await h.press(KEY.ctrlU);
      await h.type(line);
      await h.press(KEY.enter);
    };
    for (const line of ['/rooms', '/away lunch', '/back', '/nick anna', '/msg cat hi', '/msg #ops to ops', '/join #ops']) await enter(line);
    expect(h.session.calls).to.deep.equal([
      { call: 'listRooms' },
      { call: 'away', reason: 'lunch' },
      { call: 'back' },
      { call: 'changeNick', nick: 'anna' },
      { call: 'msg', nick: 'cat', text: 'hi', action: false },
      { call: 'say', roomId: 5, text: 'to ops', action: false },
    ]);
    // /join of a room already joined shows it.
    await h.waitFor(() => title().includes(' 2 #ops'), '#ops shown by /join');
    h.session.emitRoom({ type: 'rooms', rooms: [{ name: '#lobby', members: 3, topic: '' }, { name: '#ops', members: 2, topic: 'deploys' }] });
    await h.waitForText('#ops (2): deploys');
    expect(screen()).to.contain('2 rooms (/join #name to join one):');
    await enter('/ignore');
    await h.waitForText('Ignoring nobody.');
    await enter('/who #nowhere');
    await h.waitForText('You are not in #nowhere');
    expect(screen()).to.match(/> \/who #nowhere/u);
    await enter('/part #nowhere');
    await enter('/msg #nowhere hi');
    await enter('/reply hi');
    await enter('/unignore bob');
    await enter('/whois bob');
    await h.waitFor(() => h.session.whoised.includes('bob'), '/whois asked');
    expect(screen()).to.contain('Nobody has written to you privately yet.').and.to.contain('bob is not ignored.');
    // In #lobby: it cannot be left; /topic shows there is none. In a conversation: no topic; /part closes it.
    await h.press(ALT_1);
    await enter('/part');
    await h.waitForText('#lobby cannot be left');
    await enter('/topic');
    await h.waitForText('#lobby has no topic.');
    await enter('/query dan');
    await h.waitFor(() => title().includes('*dan*'), '*dan* shown');
    await enter('/topic');
    await h.waitForText('A private conversation has no topic.');
    await enter('/query dan');
    await enter('/part');
    await h.waitFor(() => !screen().includes('*dan*'), 'the /query buffer closed');
    expect(h.session.calls.filter((c) => c.call === 'part')).to.deep.equal([]);
    await enter('/help');
    await h.waitForText('//text');
    await enter('/clear');
    await h.waitFor(() => !screen().includes('//text'), 'cleared');
  });

  it('follows a conversation partner: renamed, away in the title, back', async () => {
    await inOps();
    h.session.emitRoom({ type: 'stream', stream: BOB, opened: true });
    await h.press(ALT_3);
    await h.waitFor(() => title().includes(' 3 *bob*'), '*bob* shown');
    const at = { roomId: 9, seq: 1, time: Date.now(), history: false };
    h.session.emitRoom({ type: 'away', nick: 'bob', away: true, reason: 'lunch', ...at });
    await h.waitFor(() => title().includes('*bob* (away: lunch)'), 'away in the title');
    h.session.emitRoom({ type: 'rename', from: 'bob', to: 'robert', ...at });
    await h.waitFor(() => title().includes('*robert*'), 'the buffer renamed');
    h.session.emitRoom({ type: 'stream', stream: { ...BOB, name: 'robert', away: undefined }, opened: false });
    await h.waitFor(() => !title().includes('away'), 'back');
  });

  it('keeps the buffers of streams the server lost (a restart) with their lines and numbers, until they open again', async () => {
    await inOps();
    h.session.emitRoom({ type: 'stream', stream: BOB, opened: true });
    h.session.emitEvent({ type: 'message', seq: 1, time: Date.now(), nick: 'dan', text: 'before the restart', own: false, history: false, roomId: 5 });
    h.session.emitEvent({ type: 'message', seq: 1, time: Date.now(), nick: 'bob', text: 'a secret', own: false, history: false, roomId: 9 });
    await h.press(ALT_2);
    await h.waitForText('before the restart');
    h.session.emitRoom({ type: 'stream-closed', roomId: 5, name: '#ops', why: 'gone' });
    h.session.emitRoom({ type: 'stream-closed', roomId: 9, name: 'bob', why: 'gone' });
    await h.waitForText('The server no longer has #ops (it restarted?): joining it again…');
    expect(screen()).to.contain('before the restart').and.to.contain(' 2 #ops').and.to.contain(' 3 *bob*');
    // Nothing can be said in a room the session is not in; the draft stays.
    await h.type('lost words');
    await h.press(KEY.enter);
    await h.waitForText('You are not in #ops any more (/join #ops joins it again; /part');
    expect(h.session.calls.filter((c) => c.call === 'say')).to.deep.equal([]);
    expect(h.lines().some((l) => l.includes('> lost words'))).to.equal(true);
    // Nor is anybody listed there: /who says so instead of "In #ops (0):".
    await h.press(KEY.ctrlU);
    await h.type('/who');
    await h.press(KEY.enter);
    await h.waitFor(() => h.lines().filter((l) => l.includes('You are not in #ops any more')).length === 2, '/who refused');
    expect(screen()).not.to.contain('In #ops (0)');
    await h.press(KEY.ctrlU);
    await h.type('/join #OPS');
    await h.press(KEY.enter);
    expect(h.session.calls.at(-1)).to.deep.equal({ call: 'joinRoom', name: '#OPS' });
    // The room joined again (a new roomId) takes the same buffer.
    h.session.emitRoom({ type: 'stream', stream: { ...OPS, roomId: 21 }, opened: true });
    await h.waitForText('You joined #ops again; the topic is: deploys on friday');
    expect(screen()).to.contain('before the restart');
    expect(screen()).not.to.contain(' 4 ');
    await h.type('back again');
    await h.press(KEY.enter);
    expect(h.session.calls.at(-1)).to.deep.equal({ call: 'say', roomId: 21, text: 'back again', action: false });
    // The conversation: what is written there opens it again (a private message), and its stream takes the buffer.
    await h.press(ALT_3);
    await h.waitForText('The server no longer has this conversation (it restarted?): what you');
    expect(screen()).to.contain('a secret');
    await h.type('still there?');
    await h.press(KEY.enter);
    expect(h.session.calls.at(-1)).to.deep.equal({ call: 'msg', nick: 'bob', text: 'still there?', action: false });
    h.session.emitRoom({ type: 'stream', stream: { ...BOB, roomId: 22 }, opened: true });
    h.session.emitEvent({ type: 'message', seq: 1, time: Date.now(), nick: 'ann', text: 'still there?', own: true, history: false, roomId: 22 });
    await h.waitForText('<ann> still there?');
    expect(screen()).to.contain('a secret');
    expect(screen()).not.to.contain(' 4 ');
  });
});
