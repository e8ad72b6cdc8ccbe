/**
 * Line mode: one input line is one message; one output line per event. For pipes, scripts,
 * bots, and terminals with `--plain`. Consumes session events; holds no protocol logic.
 */
import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';
import type { ChatSession, ClientEvent } from '../client/session-types.js';
import { displayLines, escapeForTerminal } from '../client/presentation.js';
import { OutageNotices } from '../client/outage-notices.js';
import { describeOwner } from '../client/whois-lookup.js';
import { summaryText } from '../client/presence-coalescer.js';
import type { SessionOutcome } from '../client/session-outcome.js';
import { bold, dim, formatClock, inNickColour } from './format.js';

export interface LineModeOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  errors: NodeJS.WritableStream;
  color: boolean;
  /** At end of input: give up delivering after this long without progress. */
  drainTimeoutMs: number;
  /**
   * A person at a terminal (stdin and stdout are terminals): the line being typed gets a prompt
   * and stays intact, redrawn below each line that arrives. Piped output is unaffected.
   */
  interactive?: boolean;
}

/** Starts each further line of a multi-line message (README, "Line mode"). */
export const CONTINUATION = '  | ';

/** The prompt of interactive line mode. */
const PROMPT = '> ';

const HELP = [
  'Type a line and press Enter to send it.',
  '/q or /quit  leave the chat',
  '/who         list who is here',
  '/whois NICK  who owns a nick (its key fingerprint)',
  '/help        this help',
  '//text       send "/text" (a message that starts with a slash)',
];

/** Runs line mode until the user quits, input ends, or the session fails; resolves how it ended. */
export function runLineMode(session: ChatSession, options: LineModeOptions): Promise<SessionOutcome> {
  const { output, errors, color } = options;
  const interactive = options.interactive === true;
  let rl: Interface | undefined;
  // Interactive: clear the prompt line, write, and redraw the prompt with what was typed so far.
  const above = (stream: NodeJS.WritableStream, text: string): void => {
    if (!interactive || rl === undefined) {
      stream.write(text);
      return;
    }
    clearLine(output, 0);
    cursorTo(output, 0);
    stream.write(text);
    rl.prompt(true);
  };
  const print = (line: string): void => above(output, `${line}\n`);
  const fail = (line: string): void => above(errors, `udp-chat: ${line}\n`);
  const safe = escapeForTerminal;

  return new Promise<SessionOutcome>((resolve) => {
    let inHistory = false;
    // One "reconnecting" line per outage (decided for both front ends in lib/client).
    const outages = new OutageNotices();
    let inputEnded = false;
    let finished = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const lines = interactive
      ? createInterface({ input: options.input, output, terminal: true, prompt: PROMPT, crlfDelay: Infinity })
      : createInterface({ input: options.input, terminal: false, crlfDelay: Infinity });
    rl = lines;

    const finish = async (code: SessionOutcome, leave: boolean): Promise<void> => {
      if (finished) return;
      finished = true;
      if (drainTimer !== undefined) clearTimeout(drainTimer);
      lines.close();
      if (interactive) output.write('\n');
      session.off('event', onEvent);
      if (leave) await session.leave();
      resolve(code);
    };

    const armDrain = (): void => {
      if (drainTimer !== undefined) clearTimeout(drainTimer);
      drainTimer = setTimeout(() => {
        fail(`${session.pending} message(s) not delivered: the server did not acknowledge them in time`);
        void finish('undelivered', true);
      }, options.drainTimeoutMs);
    };

    const checkDrained = (): void => {
      if (inputEnded && session.state === 'online' && session.pending === 0) void finish('left', true);
    };

    const stamp = (time: number): string => dim(color, formatClock(time));

    // A message with line feeds: its first line as usual, each further one on an output line of
    // its own starting with CONTINUATION (never a time stamp, so one event still starts per line).
    const printMessage = (head: string, text: string): void => {
      const [first = '', ...rest] = displayLines(text);
      print(`${head}${first}`);
      for (const line of rest) print(`${CONTINUATION}${line}`);
    };

    const endHistory = (): void => {
      if (inHistory) print('-- end of history --');
      inHistory = false;
    };

    const onEvent = (e: ClientEvent): void => {
      const announceOutage = outages.announce(e);
      switch (e.type) {
        case 'joined':
          print(`${stamp(Date.now())} * ${e.rejoined ? 'rejoined' : 'you joined'} as ${safe(e.nick)}`);
          break;
        case 'message':
          if (e.history && !inHistory) {
            inHistory = true;
            print('-- history --');
          } else if (!e.history) endHistory();
          printMessage(`${stamp(e.time)} ${e.own ? bold(color, safe(e.nick)) : inNickColour(color, e.nick, safe(e.nick))}: `, e.text);
          break;
        case 'presence':
          if (!e.history) endHistory();
          // Our own arrival is the "you joined as" line.
          if (e.action === 'join' && e.nick === session.nick && !e.history) break;
          print(`${stamp(e.time)} * ${safe(e.nick)} ${e.action === 'join' ? 'joined' : `left (${e.reason ?? 'quit'})`}`);
          break;
        case 'notice':
          print(`${stamp(Date.now())} * ${e.text}`);
          break;
        case 'presence-summary':
          if (!e.history) endHistory();
          print(`${stamp(e.time)} * ${summaryText(e, safe)}`);
          break;
        case 'whois':
          print(`${stamp(Date.now())} * ${describeOwner(e, safe(e.nick))}`);
          break;
        case 'state':
          if (announceOutage) print(`${stamp(Date.now())} * the server is not answering; reconnecting…`);
          break;
        case 'refused':
          fail(`message not accepted (${e.reason}): ${safe(e.text.slice(0, 60))}`);
          break;
        case 'delivered':
          if (inputEnded) armDrain();
          break;
        case 'join-failed':
          fail(joinFailure(e, session.nick, session.server));
          void finish(e.code === 'UDPCHAT_ERR_SERVER_UNREACHABLE' ? 'unreachable' : 'refused', false);
          return;
        case 'closed':
          if (!finished) {
            fail(`disconnected: ${e.reason}`);
            void finish('cut-off', false);
          }
          return;
        // Line mode prints a message when the room delivers it, not when it is queued.
        case 'sending':
        case 'roster':
          break;
      }
      checkDrained();
    };
    session.on('event', onEvent);

    if (interactive) {
      lines.prompt();
      // Ctrl-C at the prompt: leave as /q does (waiting for undelivered messages).
      lines.on('SIGINT', () => quit());
    }
    lines.on('line', (raw) => {
      if (interactive && !finished) lines.prompt();
      const line = raw.replace(/\r$/, '');
      if (finished || inputEnded || line.trim().length === 0) return;
      if (line === '/q' || line === '/quit') return quit();
      if (line === '/help') return HELP.forEach((h) => print(h));
      if (line.startsWith('/whois ') && line.slice(7).trim() !== '') return session.whois(line.slice(7).trim());
      if (line === '/who') return print(`* here (${session.peers.length}): ${session.peers.map(safe).join(', ')}`);
      if (line.startsWith('/') && !line.startsWith('//')) {
        return fail(`unknown command ${safe(line.split(/\s/)[0] ?? line)} (try /help; start with // to send a slash)`);
      }
      session.say(line.startsWith('//') ? line.slice(1) : line);
    });
    // End of input, or /q: leave once everything said is delivered (bounded by --wait).
    const drainAndLeave = (): void => {
      if (finished || inputEnded) return;
      inputEnded = true;
      armDrain();
      checkDrained();
    };
    const quit = (): void => {
      if (session.pending === 0) return void finish('left', true);
      // Asked again while waiting: leave now, the rest undelivered (exit status 1).
      if (inputEnded) return void finish('undelivered', true);
      fail(`waiting for ${session.pending} message(s) to be delivered before leaving…`);
      drainAndLeave();
    };
    lines.on('close', drainAndLeave);
  });
}

function joinFailure(e: Extract<ClientEvent, { type: 'join-failed' }>, nick: string, server: string): string {
  switch (e.code) {
    case 'UDPCHAT_ERR_NICK_TAKEN':
      return `nickname "${escapeForTerminal(nick)}" is taken (in use by someone on ${server}); choose another with --nick`;
    case 'UDPCHAT_ERR_NICK_OWNED':
      return `nickname "${escapeForTerminal(nick)}" belongs to someone else on ${server}: ${e.reason}`;
    case 'UDPCHAT_ERR_NICK_INVALID':
      return `nickname "${escapeForTerminal(nick)}" is not allowed: ${e.reason}`;
    case 'UDPCHAT_ERR_SERVER_UNREACHABLE':
      if (e.portUnreachable === true) return `nothing is listening at ${server} (port unreachable): is \`udp-chat serve\` running there?`;
      return e.answered === true
        ? `could not join ${server}: ${e.reason}`
        : `cannot reach a udp-chat server at ${server}: no answer (is \`udp-chat serve\` running there?)`;
    default:
      return `${server} refused the join: ${e.reason}`;
  }
}
