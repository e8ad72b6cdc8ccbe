/**
 * Line mode: one input line is one message (or a command); one output line per event. For pipes,
 * scripts, bots, and terminals with `--plain`. Consumes session events; holds no protocol logic.
 *
 * With one stream (`#lobby` only) the output is that of the one-room client, byte for byte. Once the
 * session is in more than one stream (a room joined, a private message), every line about a stream
 * names it (lib/plain/stream-lines.ts; README, "Line mode with rooms").
 */
import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';
import type { ClientEvent } from '../client/session-types.js';
import { LOBBY_ID, LOBBY_NAME, type RoomEvent, type RoomsSession, type StreamInfo } from '../client/rooms-api.js';
import { LogSections, SECTION_MARKERS, type Section, displayLines, escapeForTerminal, sectionOf } from '../client/presentation.js';
import { OutageNotices } from '../client/outage-notices.js';
import { describeOwner } from '../client/whois-lookup.js';
import { summaryText } from '../client/presence-coalescer.js';
import type { SessionOutcome } from '../client/session-outcome.js';
import { parseCommand } from '../client/commands.js';
import { bold, dim, formatClock, inNickColour } from './format.js';
import { LineCommands } from './line-commands.js';
import { sameRoom } from '../protocol/nick.js';
import { JoinHistory } from './join-history.js';
import { actionText, eventBody, roomListLines, streamToken } from './stream-lines.js';

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
  /**
   * The rooms `join --room` named (the session joins them itself): the first one other than
   * #lobby is where plain lines go once it opens, and lines name their stream from the start.
   */
  rooms?: readonly string[];
  /**
   * `join --history N`: start with the last N messages of history (0: none), paging back past the
   * server's replay if N is larger. Undefined: the replay as the server sends it.
   */
  history?: number;
}

/** How long `--history N` waits for older pages before printing what it has. */
const HISTORY_WAIT_MS = 10_000;

/** Starts each further line of a multi-line message (README, "Line mode"). */
export const CONTINUATION = '  | ';

/** The prompt of interactive line mode. */
const PROMPT = '> ';

/** Runs line mode until the user quits, input ends, or the session fails; resolves how it ended. */
export function runLineMode(session: RoomsSession, options: LineModeOptions): Promise<SessionOutcome> {
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
    /** Replayed history and entries caught up on after a rejoin are printed between markers, per stream. */
    const sections = new LogSections();
    // One "reconnecting" line per outage (decided for both front ends in lib/client).
    const outages = new OutageNotices();
    /** Lines name their stream: from the start when asked, else once a second stream opens (and then for good). */
    const rooms = options.rooms ?? [];
    let named = rooms.some((r) => !sameRoom(r, LOBBY_NAME));
    let inputEnded = false;
    let finished = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const lines = interactive
      ? createInterface({ input: options.input, output, terminal: true, prompt: PROMPT, crlfDelay: Infinity })
      : createInterface({ input: options.input, terminal: false, crlfDelay: Infinity });
    rl = lines;
    const commands = new LineCommands(session, {
      print,
      fail,
      named: () => named,
      // Interactive, with several streams: the prompt names where a line goes.
      target: (token) => {
        if (interactive) lines.setPrompt(named ? `${token}> ` : PROMPT);
      },
    }, rooms);

    const finish = async (code: SessionOutcome, leave: boolean): Promise<void> => {
      if (finished) return;
      finished = true;
      if (drainTimer !== undefined) clearTimeout(drainTimer);
      if (historyTimer !== undefined) clearTimeout(historyTimer);
      lines.close();
      if (interactive) output.write('\n');
      session.off('event', onEvent);
      session.off('room', onRoom);
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
      if (inputEnded && session.state === 'online' && session.pending === 0 && commands.holding === 0) void finish('left', true);
    };

    const stamp = (time: number): string => dim(color, formatClock(time));

    const streamOf = (roomId: number | undefined): StreamInfo | undefined => session.stream(roomId ?? LOBBY_ID);

    /** "TIME " or, with stream names on, "TIME STREAM " (nothing for a stream this client does not know). */
    const head = (time: number, roomId: number | undefined): string => {
      if (!named) return `${stamp(time)} `;
      const stream = streamOf(roomId);
      return stream === undefined ? `${stamp(time)} ` : `${stamp(time)} ${streamToken(stream)} `;
    };

    const markerName = (roomId: number): string => {
      const stream = named ? streamOf(roomId) : undefined;
      return stream === undefined ? '' : ` ${streamToken(stream)}`;
    };

    /** Section markers, per stream: `-- history --` … `-- end of history --`, `-- missed while you were away --` … `-- caught up --`. */
    const section = (roomId: number | undefined, s: Section): void => {
      const id = roomId ?? LOBBY_ID;
      for (const m of sections.enter(id, s)) print(`-- ${SECTION_MARKERS[m.section][m.edge]}${markerName(id)} --`);
    };

    // A message with line feeds: its first line as usual, each further one on an output line of
    // its own starting with CONTINUATION (never a time stamp, so one event still starts per line).
    const printMessage = (head: string, text: string): void => {
      const [first = '', ...rest] = displayLines(text);
      print(`${head}${first}`);
      for (const line of rest) print(`${CONTINUATION}${line}`);
    };

    // --history N: events wait in the gate until the history is complete (lib/plain/join-history.ts).
    let historyTimer: NodeJS.Timeout | undefined;
    const gate = options.history === undefined ? undefined : new JoinHistory(options.history, () => session.loadOlder(), (e) => onSessionEvent(e));
    const onEvent = (e: ClientEvent): void => {
      if (gate === undefined || !gate.holding) return onSessionEvent(e);
      if (e.type === 'joined') historyTimer ??= setTimeout(() => gate.finish(), HISTORY_WAIT_MS);
      gate.push(e);
      if (!gate.holding && historyTimer !== undefined) clearTimeout(historyTimer);
    };

    const onSessionEvent = (e: ClientEvent): void => {
      const announceOutage = outages.announce(e);
      switch (e.type) {
        case 'joined':
          print(`${stamp(Date.now())} * ${e.rejoined ? 'rejoined' : 'you joined'} as ${safe(e.nick)}`);
          break;
        case 'message': {
          section(e.roomId, sectionOf(e));
          if (!e.own && commands.ignores(e.nick)) break;
          const stream = streamOf(e.roomId);
          if (stream?.kind === 'private' && !e.own && !e.history) commands.privateFrom(e.nick);
          const nick = e.own ? bold(color, safe(e.nick)) : inNickColour(color, e.nick, safe(e.nick));
          printMessage(`${head(e.time, e.roomId)}${nick}: `, e.action === true ? actionText(e.text) : e.text);
          break;
        }
        case 'presence':
          section(e.roomId, sectionOf(e));
          // Our own arrival is the "you joined as" (or "you joined #room") line.
          if (e.action === 'join' && e.nick === session.nick && !e.history) break;
          print(`${head(e.time, e.roomId)}${e.action === 'join' ? eventBody.join(e.nick) : eventBody.leave(e.nick, e.reason)}`);
          break;
        case 'notice':
          print(`${stamp(Date.now())} * ${safe(e.text)}`);
          break;
        case 'presence-summary':
          section(LOBBY_ID, sectionOf(e));
          print(`${head(e.time, LOBBY_ID)}* ${summaryText(e, safe)}`);
          break;
        case 'whois':
          print(`${stamp(Date.now())} * ${describeOwner(e, safe(e.nick))}`);
          break;
        case 'no-older':
          if (e.why === 'unsupported') print(`${stamp(Date.now())} * this server cannot send older history (an older udp-chat)`);
          break;
        // Line mode asks for older pages only for --history (the gate above takes them).
        case 'older':
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
          // Left from outside the line mode (a signal, stdout closed: the CLI's leave()) is an
          // ending like /q, not a disconnection.
          if (!finished && e.left) void finish(session.pending > 0 ? 'undelivered' : 'left', false);
          else if (!finished) {
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

    const onRoom = (e: RoomEvent): void => {
      switch (e.type) {
        case 'stream':
          if (!e.opened) break;
          if (!named && session.streams.length > 1) {
            named = true;
            commands.retarget();
          }
          print(`${head(Date.now(), e.stream.roomId)}${eventBody.opened(e.stream)}`);
          if (e.stream.topic !== '') print(`${head(Date.now(), e.stream.roomId)}${eventBody.currentTopic(e.stream.topic)}`);
          commands.opened(e.stream);
          break;
        case 'stream-closed': {
          const gone = { kind: commands.kindOf(e.roomId), name: e.name };
          print(`${stamp(Date.now())} ${named ? `${streamToken(gone)} ` : ''}${eventBody.closed(gone, e.why)}`);
          sections.forget(e.roomId);
          commands.closed(e.roomId);
          break;
        }
        case 'topic':
          section(e.roomId, sectionOf(e));
          print(`${head(e.time, e.roomId)}${eventBody.topic(e.nick, e.topic)}`);
          break;
        case 'rename':
          section(e.roomId, sectionOf(e));
          print(`${head(e.time, e.roomId)}${eventBody.rename(e.from, e.to)}`);
          commands.renamed(e.from, e.to);
          break;
        case 'away':
          section(e.roomId, sectionOf(e));
          print(`${head(e.time, e.roomId)}${eventBody.away(e.nick, e.away, e.reason)}`);
          break;
        case 'part':
          section(e.roomId, sectionOf(e));
          print(`${head(e.time, e.roomId)}${eventBody.part(e.nick, e.reason)}`);
          break;
        case 'rooms':
          for (const line of roomListLines(e.rooms)) print(line);
          break;
        case 'command-refused':
          fail(commands.refusal(e));
          if (e.op === 'join') commands.joinRefused(e.target);
          break;
        // The rename lines in each stream say it; member lists are read when /who asks.
        case 'nick':
        case 'members':
          break;
      }
      checkDrained();
    };
    session.on('event', onEvent);
    session.on('room', onRoom);

    if (interactive) {
      lines.prompt();
      // Ctrl-C at the prompt: leave as /q does (waiting for undelivered messages).
      lines.on('SIGINT', () => quit());
    }
    lines.on('line', (raw) => {
      if (interactive && !finished) lines.prompt();
      const line = raw.replace(/\r$/, '');
      if (finished || inputEnded) return;
      const command = parseCommand(line);
      if (command.kind === 'quit') return quit();
      commands.run(command);
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
    case 'UDPCHAT_ERR_SERVER_KEY_CHANGED':
      return `${server}: ${e.reason}`;
    case 'UDPCHAT_ERR_SERVER_UNREACHABLE':
      if (e.portUnreachable === true) return `nothing is listening at ${server} (port unreachable): is \`udp-chat serve\` running there?`;
      return e.answered === true
        ? `could not join ${server}: ${e.reason}`
        : `cannot reach a udp-chat server at ${server}: no answer (is \`udp-chat serve\` running there? A server older than sealed sessions does not answer: upgrade it)`;
    default:
      return `${server} refused the join: ${e.reason}`;
  }
}
