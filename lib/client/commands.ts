/**
 * What a submitted input line means, for both front ends (the full-screen client and line mode):
 * a message to send, or a command. Pure parsing: no protocol logic, no session, no I/O — the front
 * end decides what a command does (most call the session; /clear, /ignore and /help are local).
 *
 * An unknown `/word` is refused with a hint rather than sent by mistake, and a command with bad
 * arguments gets one clear line; in both cases the front end keeps the draft. A line starting with
 * `//` sends the rest, starting with `/` (to say "/shrug" literally).
 */
import { checkNick } from '../protocol/nick.js';

export type Command =
  | { kind: 'none' }
  /** A message: in the current stream, or (`/msg #room text`) in the room named. */
  | { kind: 'say'; text: string; room?: string }
  | { kind: 'quit' }
  | { kind: 'help' }
  | { kind: 'clear' }
  /** Join (or create) a room; `room` starts with `#`. */
  | { kind: 'join'; room: string }
  /** Leave `room` (the current one when undefined), with an optional reason. */
  | { kind: 'part'; room?: string; reason?: string }
  | { kind: 'rooms' }
  /** Show (no text) or set the current room's topic. */
  | { kind: 'topic'; text?: string }
  /** Members of `room` (the current stream when undefined). */
  | { kind: 'who'; room?: string }
  | { kind: 'msg'; nick: string; text: string }
  /** Open a private conversation (and say `text` in it, if given). */
  | { kind: 'query'; nick: string; text?: string }
  /** To the last person who wrote to you privately. */
  | { kind: 'reply'; text: string }
  | { kind: 'me'; text: string }
  | { kind: 'nick'; nick: string }
  | { kind: 'away'; reason?: string }
  | { kind: 'back' }
  /** Hide someone's messages on this screen only; without a nick: list who is ignored. */
  | { kind: 'ignore'; nick?: string }
  | { kind: 'unignore'; nick: string }
  | { kind: 'whois'; nick: string }
  /** Not a command: refused, the draft kept. */
  | { kind: 'unknown'; command: string }
  /** A command with bad arguments: `message` is the one line to show; the draft kept. */
  | { kind: 'invalid'; command: string; message: string };

export type CommandKind = Command['kind'];

interface Spec {
  readonly kind: Exclude<CommandKind, 'none' | 'say' | 'unknown' | 'invalid'>;
  /** As /help shows it. */
  readonly usage: string;
  readonly help: string;
  readonly aliases?: readonly string[];
}

/** Every command, in the order /help lists them. */
const SPECS: readonly Spec[] = [
  { kind: 'join', usage: '/join #room', help: 'join a room (created if nobody is in it)', aliases: ['j'] },
  { kind: 'part', usage: '/part [#room] [reason]', help: 'leave a room (this one if not named)', aliases: ['leave'] },
  { kind: 'rooms', usage: '/rooms', help: 'list the rooms with their members and topics', aliases: ['list'] },
  { kind: 'topic', usage: '/topic [text]', help: "show or set this room's topic" },
  { kind: 'who', usage: '/who [#room]', help: 'who is in this room (or in #room)', aliases: ['names'] },
  { kind: 'msg', usage: '/msg nick text', help: 'a private message to nick (/msg #room text: say in #room)', aliases: ['m'] },
  { kind: 'query', usage: '/query nick [text]', help: 'open a private conversation with nick' },
  { kind: 'reply', usage: '/reply text', help: 'answer the last person who wrote to you privately', aliases: ['r'] },
  { kind: 'me', usage: '/me action', help: 'say what you do ("* ann waves")' },
  { kind: 'nick', usage: '/nick newname', help: 'change your nickname (announced in your rooms)' },
  { kind: 'away', usage: '/away [reason]', help: 'mark yourself away (shown to others)' },
  { kind: 'back', usage: '/back', help: 'no longer away' },
  { kind: 'ignore', usage: '/ignore [nick]', help: "hide nick's messages on this screen (no nick: list)" },
  { kind: 'unignore', usage: '/unignore nick', help: "show nick's messages again" },
  { kind: 'whois', usage: '/whois nick', help: 'who nick is (rooms, away, identity)' },
  { kind: 'clear', usage: '/clear', help: 'clear this buffer (on this screen only)' },
  { kind: 'help', usage: '/help', help: 'this help', aliases: ['h', '?'] },
  { kind: 'quit', usage: '/quit', help: 'leave the chat (also /q, /exit)', aliases: ['q', 'exit'] },
];

const BY_NAME: ReadonlyMap<string, Spec> = new Map(
  SPECS.flatMap((s) => [s.kind, ...(s.aliases ?? [])].map((name) => [name, s] as const)),
);

/** The first word and the rest (after the whitespace that follows the word; kept verbatim). */
function word(s: string): [string, string] {
  const m = /^\s*(\S*)\s?([\s\S]*)$/u.exec(s) as RegExpExecArray;
  return [m[1] ?? '', m[2] ?? ''];
}

/** Interprets one submitted line. Blank lines do nothing. */
export function parseCommand(line: string): Command {
  if (line.trim() === '') return { kind: 'none' };
  if (line.startsWith('//')) return { kind: 'say', text: line.slice(1) };
  if (!line.startsWith('/')) return { kind: 'say', text: line };
  const [first, rest] = word(line.slice(1));
  const name = first.toLowerCase();
  const command = `/${first}`;
  const spec = BY_NAME.get(name);
  if (spec === undefined) return { kind: 'unknown', command };
  const bad = (message: string): Command => ({ kind: 'invalid', command, message: `${spec.usage}: ${message}` });
  const [arg, text] = word(rest);
  const none = rest.trim() === '';
  switch (spec.kind) {
    // As before rooms: whatever follows /q, /help or /clear is ignored.
    case 'quit':
    case 'help':
    case 'clear':
      return { kind: spec.kind };
    case 'rooms':
    case 'back':
      return none ? { kind: spec.kind } : bad('takes no arguments');
    case 'join': {
      if (none) return bad('which room? e.g. /join #ops');
      if (text.trim() !== '') return bad('one room at a time (a room name has no spaces)');
      const room = roomName(arg);
      return typeof room === 'string' ? { kind: 'join', room } : bad(room.reason);
    }
    case 'part': {
      if (!arg.startsWith('#')) return none ? { kind: 'part' } : { kind: 'part', reason: rest.trim() };
      const room = roomName(arg);
      if (typeof room !== 'string') return bad(room.reason);
      return text.trim() === '' ? { kind: 'part', room } : { kind: 'part', room, reason: text.trim() };
    }
    case 'topic':
      return none ? { kind: 'topic' } : { kind: 'topic', text: rest.trim() };
    case 'who': {
      if (none) return { kind: 'who' };
      if (text.trim() !== '') return bad('one room at a time');
      const room = roomName(arg);
      return typeof room === 'string' ? { kind: 'who', room } : bad(room.reason);
    }
    case 'msg':
    case 'query': {
      if (none) return bad('whom to? e.g. /msg bob hello');
      if (spec.kind === 'msg' && arg.startsWith('#')) {
        const room = roomName(arg);
        if (typeof room !== 'string') return bad(room.reason);
        return text.trim() === '' ? bad(`what to say in ${room}?`) : { kind: 'say', room, text };
      }
      const nick = nickArg(arg);
      if (typeof nick !== 'string') return bad(nick.reason);
      if (spec.kind === 'query') return text.trim() === '' ? { kind: 'query', nick } : { kind: 'query', nick, text };
      return text.trim() === '' ? bad(`what to say to ${nick}?`) : { kind: 'msg', nick, text };
    }
    case 'reply':
      return none ? bad('what to say?') : { kind: 'reply', text: rest };
    case 'me':
      return none ? bad('what do you do? e.g. /me waves') : { kind: 'me', text: rest };
    case 'nick': {
      if (none) return bad('which new nickname?');
      if (text.trim() !== '') return bad('a nickname has no spaces');
      const nick = nickArg(arg);
      return typeof nick === 'string' ? { kind: 'nick', nick } : bad(nick.reason);
    }
    case 'away':
      return none ? { kind: 'away' } : { kind: 'away', reason: rest.trim() };
    case 'ignore':
    case 'unignore':
    case 'whois': {
      if (none) return spec.kind === 'ignore' ? { kind: 'ignore' } : bad('whom? give a nickname');
      if (text.trim() !== '') return bad('one nickname at a time');
      const nick = nickArg(arg);
      return typeof nick === 'string' ? { kind: spec.kind, nick } : bad(nick.reason);
    }
  }
}

/** A room name as typed: `#` added when left out, checked by the nickname rules after it. */
export function roomName(raw: string): string | { reason: string } {
  const bare = raw.startsWith('#') ? raw.slice(1) : raw;
  if (bare === '') return { reason: 'the room needs a name after "#"' };
  const check = checkNick(bare);
  if (!check.ok) return { reason: `not a room name (${check.reason.replace(/^nickname/u, 'the name')})` };
  return `#${check.nick}`;
}

function nickArg(raw: string): string | { reason: string } {
  const check = checkNick(raw.replace(/^@/u, ''));
  return check.ok ? check.nick : { reason: `"${raw}" is not a nickname (${check.reason.replace(/^nickname /u, '')})` };
}

/** The command lines of /help, aligned (both front ends print them; the TUI adds its keys). */
export const COMMAND_HELP: readonly string[] = (() => {
  const width = Math.max(...SPECS.map((s) => s.usage.length)) + 2;
  return [
    'Commands:',
    ...SPECS.map((s) => `  ${s.usage.padEnd(width)}${s.help}`),
    `  ${'//text'.padEnd(width)}send "/text" (a message that starts with "/")`,
  ];
})();

/** The one line shown for an unknown command (the draft is kept). */
export function unknownCommandHint(command: string): string {
  return `Unknown command ${command} (not sent). Type /help for commands, or start with // to send a line beginning with /.`;
}
