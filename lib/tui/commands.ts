/**
 * What a submitted input line means: a message to send, or a local command. Local commands are
 * never sent; an unknown `/word` is refused with a hint rather than sent by mistake. A line
 * starting with `//` sends the rest, starting with `/` (to say "/shrug" literally).
 */

export type InputAction =
  | { kind: 'none' }
  | { kind: 'say'; text: string }
  | { kind: 'quit' }
  | { kind: 'help' }
  | { kind: 'clear' }
  | { kind: 'whois'; nick: string }
  | { kind: 'unknown'; command: string };

const COMMANDS: Record<string, InputAction['kind']> = {
  q: 'quit',
  quit: 'quit',
  exit: 'quit',
  help: 'help',
  h: 'help',
  '?': 'help',
  clear: 'clear',
  whois: 'whois',
};

/** Interprets one submitted line. Blank lines do nothing. */
export function parseInput(line: string): InputAction {
  if (line.trim() === '') return { kind: 'none' };
  if (line.startsWith('//')) return { kind: 'say', text: line.slice(1) };
  if (!line.startsWith('/')) return { kind: 'say', text: line };
  const command = (line.slice(1).split(/\s/u, 1)[0] ?? '').toLowerCase();
  const kind = COMMANDS[command];
  switch (kind) {
    case 'quit':
      return { kind: 'quit' };
    case 'help':
      return { kind: 'help' };
    case 'clear':
      return { kind: 'clear' };
    case 'whois': {
      const nick = line.slice(1 + command.length).trim();
      return nick === '' ? { kind: 'unknown', command: '/whois (needs a nick: /whois NICK)' } : { kind: 'whois', nick };
    }
    default:
      return { kind: 'unknown', command: line.split(/\s/u, 1)[0] ?? line };
  }
}

/** The lines /help shows. */
export const HELP_LINES: readonly string[] = [
  'Commands:',
  '  /quit, /q        leave the chat (Ctrl-C does too)',
  '  /clear           clear the message log (on this screen only)',
  '  /whois NICK      who owns a nick (its key fingerprint)',
  '  /help            this help',
  '  //text           send "/text" (a message that starts with "/")',
  'Keys:',
  '  Left/Right, Home/End, Ctrl-A/Ctrl-E   move in the input line (Alt-B/Alt-F: by word)',
  '  Backspace/Delete, Ctrl-W, Ctrl-U, Ctrl-K   delete a character, a word, to start, to end',
  '  Up/Down          earlier inputs',
  '  Tab              complete a nick (again: next one; at line start adds ": ")',
  '  PageUp/PageDown  scroll the log (also the mouse wheel; Shift+drag selects text)',
  '  Ctrl-L           redraw the screen',
];

/** The hint shown for an unknown command. */
export function unknownCommandHint(command: string): string {
  return `Unknown command ${command} (not sent). Type /help for commands, or start with // to send a line beginning with /.`;
}
