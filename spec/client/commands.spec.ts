import { expect } from 'chai';
import { COMMAND_HELP, parseCommand, roomName, unknownCommandHint } from '../../lib/client/commands.js';

describe('commands (both front ends)', () => {
  describe('#parseCommand', () => {
    it('sends ordinary lines as they are', () => {
      expect(parseCommand('hello  world ')).to.deep.equal({ kind: 'say', text: 'hello  world ' });
      expect(parseCommand(' /not a command')).to.deep.equal({ kind: 'say', text: ' /not a command' });
    });

    it('ignores blank lines', () => {
      expect(parseCommand('')).to.deep.equal({ kind: 'none' });
      expect(parseCommand('   ')).to.deep.equal({ kind: 'none' });
    });

    it('sends a line starting with // with one slash removed', () => {
      expect(parseCommand('//shrug')).to.deep.equal({ kind: 'say', text: '/shrug' });
      expect(parseCommand('///')).to.deep.equal({ kind: 'say', text: '//' });
    });

    it('knows /q, /quit, /exit, /help, /h, /? and /clear case-insensitively, ignoring what follows (as before rooms)', () => {
      for (const q of ['/q', '/QUIT', '/exit', '/q bye']) expect(parseCommand(q), q).to.deep.equal({ kind: 'quit' });
      for (const h of ['/help', '/h', '/?', '/help join']) expect(parseCommand(h), h).to.deep.equal({ kind: 'help' });
      expect(parseCommand('/clear all')).to.deep.equal({ kind: 'clear' });
    });

    it('refuses unknown commands with the command as typed, never by an inherited property name', () => {
      expect(parseCommand('/shrug hi')).to.deep.equal({ kind: 'unknown', command: '/shrug' });
      expect(parseCommand('/')).to.deep.equal({ kind: 'unknown', command: '/' });
      expect(parseCommand('/constructor')).to.deep.equal({ kind: 'unknown', command: '/constructor' });
      expect(parseCommand('/__proto__ x')).to.deep.equal({ kind: 'unknown', command: '/__proto__' });
    });

    it('/join: one room, "#" added when left out, the name checked like a nickname', () => {
      expect(parseCommand('/join #ops')).to.deep.equal({ kind: 'join', room: '#ops' });
      expect(parseCommand('/JOIN  ops')).to.deep.equal({ kind: 'join', room: '#ops' });
      expect(parseCommand('/j #Кухня')).to.deep.equal({ kind: 'join', room: '#Кухня' });
      expect(parseCommand('/join')).to.include({ kind: 'invalid', command: '/join' });
      expect(parseCommand('/join #a #b')).to.include({ kind: 'invalid' });
      const bad = parseCommand('/join #a:b');
      expect(bad.kind).to.equal('invalid');
      expect(bad.kind === 'invalid' && bad.message).to.equal('/join #room: not a room name (the name contains ":")');
      expect(parseCommand('/join #')).to.deep.include({ message: '/join #room: the room needs a name after "#"' });
    });

    it('/part: the room is optional, and so is the reason', () => {
      expect(parseCommand('/part')).to.deep.equal({ kind: 'part' });
      expect(parseCommand('/part #ops')).to.deep.equal({ kind: 'part', room: '#ops' });
      expect(parseCommand('/part #ops  lunch, back soon ')).to.deep.equal({ kind: 'part', room: '#ops', reason: 'lunch, back soon' });
      expect(parseCommand('/leave going home')).to.deep.equal({ kind: 'part', reason: 'going home' });
      expect(parseCommand('/part #')).to.include({ kind: 'invalid' });
    });

    it('/rooms, /back take no arguments; /topic and /away take optional text', () => {
      expect(parseCommand('/rooms')).to.deep.equal({ kind: 'rooms' });
      expect(parseCommand('/list')).to.deep.equal({ kind: 'rooms' });
      expect(parseCommand('/rooms x')).to.deep.equal({ kind: 'invalid', command: '/rooms', message: '/rooms: takes no arguments' });
      expect(parseCommand('/back')).to.deep.equal({ kind: 'back' });
      expect(parseCommand('/topic')).to.deep.equal({ kind: 'topic' });
      expect(parseCommand('/topic  release at 5 ')).to.deep.equal({ kind: 'topic', text: 'release at 5' });
      expect(parseCommand('/away')).to.deep.equal({ kind: 'away' });
      expect(parseCommand('/away lunch')).to.deep.equal({ kind: 'away', reason: 'lunch' });
    });

    it('/who: this stream, or one named room', () => {
      expect(parseCommand('/who')).to.deep.equal({ kind: 'who' });
      expect(parseCommand('/names ops')).to.deep.equal({ kind: 'who', room: '#ops' });
      expect(parseCommand('/who #a #b')).to.include({ kind: 'invalid' });
    });

    it('/msg needs a nick and text (kept as typed); /query needs a nick, text optional', () => {
      expect(parseCommand('/msg bob hi  there ')).to.deep.equal({ kind: 'msg', nick: 'bob', text: 'hi  there ' });
      expect(parseCommand('/m @bob hi')).to.deep.equal({ kind: 'msg', nick: 'bob', text: 'hi' });
      expect(parseCommand('/msg bob')).to.deep.equal({ kind: 'invalid', command: '/msg', message: '/msg nick text: what to say to bob?' });
      expect(parseCommand('/msg')).to.include({ kind: 'invalid' });
      expect(parseCommand('/msg #ops hi  all')).to.deep.equal({ kind: 'say', room: '#ops', text: 'hi  all' });
      expect(parseCommand('/msg #ops')).to.deep.include({ message: '/msg nick text: what to say in #ops?' });
      expect(parseCommand('/msg b@b hi')).to.deep.include({ message: '/msg nick text: "b@b" is not a nickname (contains "@")' });
      expect(parseCommand('/query #ops')).to.deep.include({ message: '/query nick [text]: "#ops" is not a nickname (contains "#")' });
      expect(parseCommand('/query Катя')).to.deep.equal({ kind: 'query', nick: 'Катя' });
      expect(parseCommand('/query bob hello')).to.deep.equal({ kind: 'query', nick: 'bob', text: 'hello' });
      expect(parseCommand('/query')).to.include({ kind: 'invalid' });
    });

    it('/reply and /me need text', () => {
      expect(parseCommand('/reply on my way')).to.deep.equal({ kind: 'reply', text: 'on my way' });
      expect(parseCommand('/r ok')).to.deep.equal({ kind: 'reply', text: 'ok' });
      expect(parseCommand('/reply')).to.include({ kind: 'invalid' });
      expect(parseCommand('/me waves 👋')).to.deep.equal({ kind: 'me', text: 'waves 👋' });
      expect(parseCommand('/me')).to.deep.equal({ kind: 'invalid', command: '/me', message: '/me action: what do you do? e.g. /me waves' });
    });

    it('/nick: one valid nickname', () => {
      expect(parseCommand('/nick anna')).to.deep.equal({ kind: 'nick', nick: 'anna' });
      expect(parseCommand('/nick')).to.include({ kind: 'invalid' });
      expect(parseCommand('/nick a b')).to.deep.include({ message: '/nick newname: a nickname has no spaces' });
      expect(parseCommand('/nick /x')).to.deep.include({ message: '/nick newname: "/x" is not a nickname (starts with "/")' });
      expect(parseCommand(`/nick ${'x'.repeat(25)}`)).to.include({ kind: 'invalid' });
    });

    it('/ignore (no nick: list), /unignore and /whois take one nickname', () => {
      expect(parseCommand('/ignore')).to.deep.equal({ kind: 'ignore' });
      expect(parseCommand('/ignore spammer')).to.deep.equal({ kind: 'ignore', nick: 'spammer' });
      expect(parseCommand('/unignore spammer')).to.deep.equal({ kind: 'unignore', nick: 'spammer' });
      expect(parseCommand('/unignore')).to.include({ kind: 'invalid' });
      expect(parseCommand('/whois bob')).to.deep.equal({ kind: 'whois', nick: 'bob' });
      expect(parseCommand('/whois bob ann')).to.deep.include({ message: '/whois nick: one nickname at a time' });
    });
  });

  it('roomName normalises (NFC) and refuses what a nickname may not contain', () => {
    expect(roomName('#cafe\u0301')).to.equal('#caf\u00e9');
    expect(roomName('ops')).to.equal('#ops');
    expect(roomName('#a b')).to.deep.equal({ reason: 'not a room name (the name contains a space)' });
  });

  it('/help lists every command and //, one per line, aligned', () => {
    const help = COMMAND_HELP.join('\n');
    for (const c of ['/join #room', '/part [#room] [reason]', '/rooms', '/topic [text]', '/who [#room]', '/msg nick text', '/query nick',
      '/reply text', '/me action', '/nick newname', '/away [reason]', '/back', '/ignore [nick]', '/unignore nick', '/whois nick',
      '/clear', '/help', '/quit', '//text']) {
      expect(help, c).to.contain(`  ${c}`);
    }
    const columns = new Set(COMMAND_HELP.slice(1).map((l) => /^ {2}\S+(?: \S+)*\s+/u.exec(l)?.[0].length));
    expect(columns.size).to.equal(1);
  });

  it('points to /help and // from the unknown-command hint', () => {
    expect(unknownCommandHint('/x')).to.contain('//').and.to.contain('/help').and.to.contain('not sent');
  });
});
