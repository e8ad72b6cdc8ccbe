/**
 * Line mode over a FakeSession: the one-room output unchanged, lines naming their stream once
 * there are several, and every command typed on stdin turned into the right session call.
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { formatClock } from '../../lib/client/presentation.js';
import type { SessionOutcome } from '../../lib/client/session-outcome.js';
import type { StreamInfo } from '../../lib/client/rooms-api.js';
import { runLineMode } from '../../lib/plain/line-mode.js';
import { FakeSession } from '../support/fake-session.js';

const T = Date.UTC(2026, 0, 5, 12, 0, 0);
const TIME = formatClock(T);

const OPS: StreamInfo = { roomId: 5, kind: 'room', name: '#ops', topic: 'deploys on friday' };
const BOB: StreamInfo = { roomId: 9, kind: 'private', name: 'bob', topic: '' };

interface Run {
  session: FakeSession;
  input: PassThrough;
  out: string[];
  err: string[];
  done: Promise<SessionOutcome>;
  /** Types lines and lets line mode read them. */
  type(...lines: string[]): Promise<void>;
}

function collect(stream: PassThrough, into: string[]): void {
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    into.push(...parts);
  });
}

function start(options: { rooms?: string[]; nick?: string; interactive?: boolean } = {}): Run {
  const session = new FakeSession({ nick: options.nick ?? 'ann', peers: ['ann', 'bob'] });
  const input = new PassThrough();
  const output = new PassThrough();
  const errors = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  collect(output, out);
  collect(errors, err);
  const done = runLineMode(session, { input, output, errors, color: false, drainTimeoutMs: 2000, rooms: options.rooms ?? [], interactive: options.interactive ?? false });
  const type = async (...lines: string[]): Promise<void> => {
    for (const l of lines) input.write(`${l}\n`);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { session, input, out, err, done, type };
}

/** Everything said is delivered; input ends; line mode leaves. */
async function end(run: Run): Promise<void> {
  run.session.emitEvent({ type: 'delivered', pending: 0 });
  run.input.end();
  await run.done;
}

describe('line mode', function () {
  it('with #lobby only, prints exactly the one-room lines and sends plain lines with say(text)', async () => {
    const run = start();
    const { session } = run;
    session.message('bob', 'old', { time: T, history: true });
    session.presence('cat', 'join', { time: T });
    session.message('bob', 'hi\nthere', { time: T });
    session.presence('cat', 'leave', { time: T, reason: 'timeout' });
    await run.type('hello', '//me too', '/who');
    expect(run.out).to.deep.equal([
      '-- history --',
      `${TIME} bob: old`,
      '-- end of history --',
      `${TIME} * cat joined`,
      `${TIME} bob: hi`,
      '  | there',
      `${TIME} * cat left (timeout)`,
      '* here (2): ann, bob',
    ]);
    expect(session.said).to.deep.equal(['hello', '/me too']);
    expect(session.calls).to.deep.equal([]);
    await end(run);
  });

  it('after "rejoined", prints what was missed while away between markers (its times are earlier)', async () => {
    const run = start();
    const { session } = run;
    session.joined('ann', true);
    session.message('bob', 'while away', { time: T, missed: true });
    session.presence('cat', 'leave', { time: T, reason: 'quit', missed: true });
    session.message('bob', 'live', { time: T });
    await run.type();
    expect(run.out.slice(1)).to.deep.equal([
      '-- missed while you were away --',
      `${TIME} bob: while away`,
      `${TIME} * cat left (quit)`,
      '-- caught up --',
      `${TIME} bob: live`,
    ]);
    expect(run.out[0]).to.match(/ \* rejoined as ann$/u);
    await end(run);
  });

  it('keeps a room event caught up on after a rejoin (a topic set while away) inside the missed block', async () => {
    const run = start();
    const { session } = run;
    session.message('bob', 'while away', { time: T, missed: true });
    session.emitRoom({ type: 'topic', nick: 'bob', topic: 'lunch', roomId: 0, seq: 2, time: T, history: false, missed: true });
    session.message('bob', 'also while away', { time: T, missed: true });
    session.message('bob', 'live', { time: T });
    await run.type();
    expect(run.out).to.deep.equal([
      '-- missed while you were away --',
      `${TIME} bob: while away`,
      `${TIME} * bob set the topic: lunch`,
      `${TIME} bob: also while away`,
      '-- caught up --',
      `${TIME} bob: live`,
    ]);
    await end(run);
  });

  it('shows /me, topics, renames, away and parts in #lobby without naming it while it is the only stream', async () => {
    const run = start();
    const { session } = run;
    const at = { roomId: 0, seq: 1, time: T, history: false };
    session.emitEvent({ type: 'message', seq: 1, time: T, nick: 'bob', text: 'waves', own: false, history: false, roomId: 0, action: true });
    session.emitRoom({ type: 'topic', nick: 'bob', topic: 'lunch', ...at });
    session.emitRoom({ type: 'rename', from: 'bob', to: 'bobby', ...at });
    session.emitRoom({ type: 'away', nick: 'bobby', away: true, reason: 'eating', ...at });
    session.emitRoom({ type: 'away', nick: 'bobby', away: false, reason: '', ...at });
    await run.type('/me nods');
    expect(run.out).to.deep.equal([
      `${TIME} bob: /me waves`,
      `${TIME} * bob set the topic: lunch`,
      `${TIME} * bob is now known as bobby`,
      `${TIME} * bobby is away: eating`,
      `${TIME} * bobby is back`,
    ]);
    expect(session.calls).to.deep.equal([{ call: 'say', roomId: 0, text: 'nods', action: true }]);
    await end(run);
  });

  it('with --room #ops: names streams from the start, and plain lines go to #ops once it is open', async () => {
    const run = start({ rooms: ['#ops'] });
    const { session } = run;
    session.message('bob', 'in the lobby', { time: T });
    session.emitRoom({ type: 'stream', stream: OPS, opened: true });
    session.emitEvent({ type: 'message', seq: 1, time: T, nick: 'bob', text: 'old', own: false, history: true, roomId: 5 });
    session.emitEvent({ type: 'message', seq: 2, time: T, nick: 'bob', text: 'deploying', own: false, history: false, roomId: 5 });
    session.emitEvent({ type: 'presence', seq: 3, time: T, nick: 'ann', action: 'join', history: false, roomId: 5 });
    await run.type('on it', '/msg #lobby and here', '/msg #nowhere x');
    expect(run.out.slice(0, 1)).to.deep.equal([`${TIME} #lobby bob: in the lobby`]);
    expect(run.out.slice(1).map((l) => l.replace(/^\d\d:\d\d:\d\d /u, 'T '))).to.deep.equal([
      'T #ops * you joined #ops',
      'T #ops * topic: deploys on friday',
      '-- history #ops --',
      'T #ops bob: old',
      '-- end of history #ops --',
      'T #ops bob: deploying',
    ]);
    expect(session.calls).to.deep.equal([{ call: 'say', roomId: 5, text: 'on it', action: false }]);
    expect(session.said).to.deep.equal(['and here']);
    expect(run.err).to.deep.equal(['udp-chat: you are not in #nowhere (/join #nowhere first)']);
    await end(run);
  });

  it('with --room #ops: plain lines typed before #ops has opened wait for it (not sent to #lobby); a refused join sends them where lines went', async () => {
    const run = start({ rooms: ['#ops'] });
    const { session } = run;
    await run.type('early one', '/me early two');
    expect(session.calls).to.deep.equal([]);
    expect(session.said).to.deep.equal([]);
    session.emitRoom({ type: 'stream', stream: OPS, opened: true });
    expect(session.calls).to.deep.equal([
      { call: 'say', roomId: 5, text: 'early one', action: false },
      { call: 'say', roomId: 5, text: 'early two', action: true },
    ]);
    await run.type('/join #dev', 'for dev');
    expect(session.calls).to.have.length(3);
    session.emitRoom({ type: 'command-refused', op: 'join', target: '#dev', text: '', code: 'UDPCHAT_ERR_ROOM_LIMIT', reason: 'too many rooms' });
    expect(session.calls.slice(3)).to.deep.equal([{ call: 'say', roomId: 5, text: 'for dev', action: false }]);
    await end(run);
  });

  it('a private message names every line from then on; /reply answers its sender; /query sends there', async () => {
    const run = start();
    const { session } = run;
    session.message('cat', 'before', { time: T });
    session.emitRoom({ type: 'stream', stream: BOB, opened: true });
    session.emitEvent({ type: 'message', seq: 1, time: T, nick: 'bob', text: 'psst', own: false, history: false, roomId: 9 });
    session.message('cat', 'after', { time: T });
    await run.type('/reply yes?', '/query bob', 'plain goes to bob', '/me whispers', '/query cat hi cat', 'and more');
    expect(run.out[0]).to.equal(`${TIME} cat: before`);
    expect(run.out[1]).to.match(/^\d\d:\d\d:\d\d \*bob\* \* private conversation with bob$/u);
    expect(run.out.slice(2)).to.deep.equal([`${TIME} *bob* bob: psst`, `${TIME} #lobby cat: after`]);
    expect(session.calls).to.deep.equal([
      { call: 'msg', nick: 'bob', text: 'yes?', action: false },
      { call: 'say', roomId: 9, text: 'plain goes to bob', action: false },
      { call: 'say', roomId: 9, text: 'whispers', action: true },
      { call: 'msg', nick: 'cat', text: 'hi cat', action: false },
      { call: 'msg', nick: 'cat', text: 'and more', action: false },
    ]);
    await end(run);
  });

  it('turns every command into its session call, and says what is wrong in one line on stderr', async () => {
    const run = start();
    const { session } = run;
    await run.type('/join #ops', '/nick anna', '/away lunch', '/back', '/rooms', '/topic', '/part', '/reply x', '/frobnicate', '/msg bob', '/whois bob');
    expect(session.calls).to.deep.equal([
      { call: 'joinRoom', name: '#ops' },
      { call: 'changeNick', nick: 'anna' },
      { call: 'away', reason: 'lunch' },
      { call: 'back' },
      { call: 'listRooms' },
    ]);
    expect(run.out).to.deep.equal(['* #lobby has no topic']);
    expect(session.whoised).to.deep.equal(['bob']);
    expect(run.err).to.deep.equal([
      'udp-chat: #lobby cannot be left; /quit leaves the chat',
      'udp-chat: /reply: nobody has written to you privately yet',
      'udp-chat: unknown command /frobnicate (try /help; start with // to send a slash)',
      'udp-chat: /msg nick text: what to say to bob?',
    ]);
    // The room opens: it becomes where lines go; /topic, /who and /part act on it.
    session.emitRoom({ type: 'stream', stream: OPS, opened: true });
    session.emitRoom({ type: 'members', roomId: 5, members: [{ nick: 'ann', away: false }, { nick: 'bob', away: true }] });
    run.out.length = 0;
    await run.type('/topic', '/topic freeze', '/who', '/who #lobby', '/part bye');
    expect(run.out).to.deep.equal(['* topic of #ops: deploys on friday', '#ops * here (2): ann, bob (away)', '#lobby * here (2): ann, bob']);
    expect(session.calls.slice(5)).to.deep.equal([{ call: 'topic', roomId: 5, text: 'freeze' }, { call: 'part', roomId: 5, reason: 'bye' }]);
    session.emitRoom({ type: 'stream-closed', roomId: 5, name: '#ops', why: 'parted' });
    await run.type('back in the lobby');
    expect(run.out.at(-1)).to.match(/^\d\d:\d\d:\d\d #ops \* you left #ops$/u);
    expect(session.said).to.deep.equal(['back in the lobby']);
    await end(run);
  });

  it('answers /rooms and refused commands, keeping what a refused command carried', async () => {
    const run = start();
    const { session } = run;
    session.emitRoom({ type: 'rooms', rooms: [{ name: '#lobby', members: 3, topic: '' }, { name: '#ops', members: 1, topic: 'x' }] });
    session.emitRoom({ type: 'command-refused', op: 'msg', target: 'dan', text: 'hi dan', code: 'UDPCHAT_ERR_NOT_ONLINE' as never, reason: 'dan is not online' });
    session.emitRoom({ type: 'command-refused', op: 'join', target: '#x', text: '', code: 'UDPCHAT_ERR_UNSUPPORTED', reason: 'this server has no rooms (an older udp-chat)' });
    session.emitRoom({ type: 'command-refused', op: 'nick', target: 'bob', text: '', code: 'UDPCHAT_ERR_NICK_TAKEN', reason: 'taken' });
    session.emitRoom({ type: 'command-refused', op: 'topic', target: '#ops', text: 'new', code: 'UDPCHAT_ERR_UNSUPPORTED', reason: 'not joined yet' });
    session.emitRoom({ type: 'command-refused', op: 'msg', target: 'eve', text: 'x', code: 'UDPCHAT_ERR_UNSUPPORTED', reason: 'no' });
    expect(run.out).to.deep.equal(['* 2 rooms:', '*   #lobby (3)', '*   #ops (1): x']);
    expect(run.err).to.deep.equal([
      'udp-chat: dan is not online (not sent: hi dan)',
      'udp-chat: cannot join #x: this server has no rooms (an older udp-chat)',
      'udp-chat: cannot change nickname to bob: taken',
      'udp-chat: /topic #ops refused: not joined yet (not sent: new)',
      'udp-chat: message to eve refused: no (not sent: x)',
    ]);
    await end(run);
  });

  it('/ignore hides a person on this client only, following renames; /unignore shows them again', async () => {
    const run = start();
    const { session } = run;
    await run.type('/ignore', '/ignore Bob');
    session.message('bob', 'spam', { time: T });
    session.emitRoom({ type: 'rename', from: 'bob', to: 'bobby', roomId: 0, seq: 2, time: T, history: false });
    session.message('bobby', 'more spam', { time: T });
    await run.type('/ignore', '/unignore bobby', '/unignore bobby', '/clear', '/help');
    session.message('bobby', 'sorry', { time: T });
    expect(run.out.slice(0, 6)).to.deep.equal([
      '* ignoring nobody',
      '* ignoring Bob (on this client only; /unignore Bob undoes it)',
      `${TIME} * bob is now known as bobby`,
      '* ignoring (1): bobby',
      '* no longer ignoring bobby',
      '* /clear does nothing in line mode',
    ]);
    expect(run.out).to.include('Commands:');
    expect(run.out.at(-1)).to.equal(`${TIME} bobby: sorry`);
    expect(run.err).to.deep.equal(['udp-chat: /unignore: bobby is not ignored']);
    await end(run);
  });

  it('takes two names the server takes as one as one (§5.3): /ignore борис hides Борис, and /query борис follows the conversation the server opens with Борис', async () => {
    const run = start();
    const { session } = run;
    // nickKey alone keys борис and Борис apart (б ≈ 6, Б ≈ B); their case keys are equal.
    await run.type('/ignore борис');
    session.message('Борис', 'spam', { time: T });
    session.message('bob', 'not spam', { time: T });
    await run.type('/unignore БОРИС', '/query борис');
    session.emitRoom({ type: 'stream', stream: { ...BOB, name: 'Борис' }, opened: true });
    await run.type('hi');
    expect(run.out).to.include(`${TIME} bob: not spam`);
    expect(run.out.join('\n')).not.to.contain(': spam');
    expect(run.out).to.include('* no longer ignoring БОРИС');
    expect(session.calls).to.deep.equal([{ call: 'say', roomId: 9, text: 'hi', action: false }]);
    expect(run.err).to.deep.equal([]);
    await end(run);
  });

  it('on a terminal, the prompt names where a line goes once there are several streams', async () => {
    const run = start({ interactive: true });
    const { session } = run;
    await run.type('/query bob');
    expect(run.out.join('\n')).not.to.contain('*bob*> ');
    session.emitRoom({ type: 'stream', stream: BOB, opened: true });
    await run.type('hi');
    expect(run.out.join('\n')).to.contain('*bob*> ');
    expect(session.calls).to.deep.equal([{ call: 'say', roomId: 9, text: 'hi', action: false }]);
    await end(run);
  });
});
