import { expect } from 'chai';
import { actionText, eventBody, roomListLines, streamToken, whoLine } from '../../lib/plain/stream-lines.js';

describe('line mode: stream lines', () => {
  it('names a room by its name and a private conversation as *nick*', () => {
    expect(streamToken({ kind: 'room', name: '#ops' })).to.equal('#ops');
    expect(streamToken({ kind: 'private', name: 'bob' })).to.equal('*bob*');
    expect(streamToken({ kind: 'private', name: 'Катя' })).to.equal('*Катя*');
  });

  it('keeps the one-room lines for joins and leaves', () => {
    expect(eventBody.join('cat')).to.equal('* cat joined');
    expect(eventBody.leave('cat', 'timeout')).to.equal('* cat left (timeout)');
    expect(eventBody.leave('cat', undefined)).to.equal('* cat left (quit)');
  });

  it('words parts, topics, renames and away with the free text last, after ": "', () => {
    expect(eventBody.part('bob', '')).to.equal('* bob parted');
    expect(eventBody.part('bob', 'lunch: back at 2')).to.equal('* bob parted: lunch: back at 2');
    expect(eventBody.topic('ann', 'release at 5')).to.equal('* ann set the topic: release at 5');
    expect(eventBody.topic('ann', '')).to.equal('* ann cleared the topic');
    expect(eventBody.rename('ann', 'anna')).to.equal('* ann is now known as anna');
    expect(eventBody.away('bob', true, '')).to.equal('* bob is away');
    expect(eventBody.away('bob', true, 'lunch')).to.equal('* bob is away: lunch');
    expect(eventBody.away('bob', false, 'lunch')).to.equal('* bob is back');
  });

  it('says when this session enters or leaves a stream', () => {
    expect(eventBody.opened({ kind: 'room', name: '#ops' })).to.equal('* you joined #ops');
    expect(eventBody.opened({ kind: 'private', name: 'bob' })).to.equal('* private conversation with bob');
    expect(eventBody.currentTopic('deploy friday')).to.equal('* topic: deploy friday');
    expect(eventBody.closed({ kind: 'room', name: '#ops' }, 'parted')).to.equal('* you left #ops');
    expect(eventBody.closed({ kind: 'private', name: 'bob' }, 'parted')).to.equal('* closed the conversation with bob');
    expect(eventBody.closed({ kind: 'room', name: '#ops' }, 'gone')).to.equal('* #ops is gone (the server no longer has it)');
  });

  it('escapes whatever came from the network: a topic or a reason cannot forge a line', () => {
    expect(eventBody.topic('ann', 'x\n12:00:00 * bob joined')).to.equal('* ann set the topic: x\\x0a12:00:00 * bob joined');
    expect(eventBody.part('bob', '\x1b[2J')).to.equal('* bob parted: \\x1b[2J');
    expect(streamToken({ kind: 'room', name: '#a\u202eb' })).to.equal('#a\\u202eb');
  });

  it('shows an action as a message whose text starts with /me (as a client without rooms shows it)', () => {
    expect(actionText('waves')).to.equal('/me waves');
  });

  it('lists members with away marks, and rooms one a line', () => {
    expect(whoLine([{ nick: 'ann', away: false }, { nick: 'bob', away: true }])).to.equal('* here (2): ann, bob (away)');
    expect(roomListLines([{ name: '#lobby', members: 3, topic: '' }, { name: '#ops', members: 1, topic: 'deploys' }])).to.deep.equal([
      '* 2 rooms:',
      '*   #lobby (3)',
      '*   #ops (1): deploys',
    ]);
    expect(roomListLines([])).to.deep.equal(['* 0 rooms:']);
  });
});
