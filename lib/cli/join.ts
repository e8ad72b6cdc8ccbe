/** `udp-chat join`: the full-screen client on a terminal, line mode otherwise. */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ChatClient } from '../client/chat-client.js';
import { findServers } from '../discovery/find-servers.js';
import { DEFAULT_PORT } from '../protocol/constants.js';
import { checkNick, sameRoom } from '../protocol/nick.js';
import { runLineMode } from '../plain/line-mode.js';
import { roomName } from '../client/commands.js';
import { LOBBY_NAME } from '../client/rooms-api.js';
import type { ClientEvent } from '../client/session-types.js';
import { EXIT, type ExitCode, exitCodeFor } from './exit-codes.js';
import { type CliContext, positiveNumber, singleValued } from './context.js';
import { formatServer, formatServers, noneFoundMessage, serverArg } from './found-servers.js';
import { FINGERPRINT_FORMAT } from '../protocol/seal/fingerprint.js';
import { clientSeal } from './join-seal.js';
import { passphraseOf, passphraseOption } from './serve-seal.js';

export interface JoinArgs {
  nick: string;
  server?: string;
  plain: boolean;
  bell: boolean;
  timeout: number;
  wait: number;
  room: string[];
  history: number | undefined;
  'accept-new-key': boolean;
  'server-key': string | undefined;
  passphrase: string | undefined;
}

export function joinCommand(ctx: CliContext): CommandModule<object, JoinArgs> {
  return {
    command: 'join',
    describe: 'Join a chat server',
    builder: (y: Argv) =>
      passphraseOption(y, "The server's passphrase, if it has one")
        .option('nick', { type: 'string', demandOption: true, describe: 'Your nickname (unique on the server, up to 24 characters)' })
        // Checked and normalised once, here: everything after uses the nick as the server will.
        .coerce('nick', (raw: unknown) => {
          if (Array.isArray(raw)) throw new Error('--nick was given more than once');
          const nick = checkNick(String(raw));
          if (!nick.ok) throw new Error(`--nick: ${nick.reason}`);
          return nick.nick;
        })
        .option('server', { type: 'string', describe: `Server as host[:port] ([v6addr]:port for IPv6; port ${DEFAULT_PORT} if not given). Without it, the server on the local network is found by itself (see \`udp-chat discover\`)` })
        .option('room', { type: 'string', array: true, default: [], describe: 'A room to join besides #lobby, e.g. --room "#ops" (repeatable); plain lines go to the first one' })
        .coerce('room', (raw: unknown) => (Array.isArray(raw) ? raw : [raw]).map((r) => {
          const room = roomName(String(r));
          if (typeof room !== 'string') throw new Error(`--room ${String(r)}: ${room.reason}`);
          return room;
        }))
        .option('history', { type: 'number', describe: 'Line mode: start with the last N messages of history (0 = none), fetching older pages if the server replays fewer (default: what the server replays, 50)' })
        .option('accept-new-key', { type: 'boolean', default: false, describe: "Join even if the server's key is not the one remembered for it (known_servers), and remember the new one" })
        .option('server-key', { type: 'string', describe: "The server's key fingerprint (SHA256:…, as `udp-chat serve` prints it): join only a server with this key, and remember it (instead of trusting the first key seen)" })
        .option('plain', { type: 'boolean', default: false, describe: 'Line mode even on a terminal (always used when stdin or stdout is not a terminal)' })
        .option('bell', { type: 'boolean', default: true, describe: 'Ring the terminal bell when a message mentions you (--no-bell turns it off)' })
        .option('timeout', { type: 'number', default: 10, describe: 'Seconds a try to join waits for the server to answer (line mode then exits 1; the full-screen client tries again, 1 to 15 s later, until you quit)' })
        .option('wait', { type: 'number', default: 15, describe: 'Line mode, at end of input: seconds without progress before giving up on unacknowledged messages' })
        .check((a) => {
          singleValued(a, ['nick', 'server', 'timeout', 'wait', 'history', 'server-key']);
          const key = a['server-key'];
          if (key !== undefined && !FINGERPRINT_FORMAT.test(key)) throw new Error('--server-key takes a key fingerprint as `udp-chat serve` prints it: SHA256: and 43 characters');
          const n = a.history;
          if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > 100_000)) throw new Error('--history takes a whole number of messages, 0–100000');
          // A bare `--server` (no value) is a mistake, not a request to find the server by itself.
          if (a.server !== undefined && a.server.trim() === '') throw new Error('--server needs a value: host[:port]');
          positiveNumber(a.timeout, '--timeout', ' of seconds');
          positiveNumber(a.wait, '--wait', ' of seconds');
          if (a.passphrase !== undefined) passphraseOf(a as { passphrase?: string }, {});
          return true;
        }) as unknown as Argv<JoinArgs>,
    handler: (args) => {
      // Started, not awaited: main() awaits it, so that yargs' failure path sees only usage errors.
      ctx.result = runJoin(ctx, args);
      ctx.result.catch(() => undefined);
    },
  };
}

/**
 * How long `join` without `--server` listens, seconds: every DISCOVER has gone out by 1 s, and
 * answers on a LAN take milliseconds; "none found" must be said within 3 s of starting.
 */
const JOIN_DISCOVER_WAIT_S = 1.2;

/**
 * The server to join when `--server` is not given: the one server on the local network; with
 * several, the user's choice (full screen) or a usage exit asking for `--server` (line mode).
 */
async function discoverServer(ctx: CliContext, interactive: boolean): Promise<string | ExitCode> {
  const servers = await findServers({ waitMs: JOIN_DISCOVER_WAIT_S * 1000, port: DEFAULT_PORT });
  if (servers.length === 0) {
    for (const line of noneFoundMessage(JOIN_DISCOVER_WAIT_S)) ctx.err(line);
    return EXIT.FAILURE;
  }
  const only = servers.length === 1 ? servers[0] : undefined;
  if (only !== undefined) {
    ctx.err(`udp-chat: joining ${formatServer(only)}`);
    return serverArg(only);
  }
  if (!interactive) {
    ctx.err(`udp-chat: ${servers.length} servers found on the local network; choose one with --server:`);
    for (const line of formatServers(servers, true)) ctx.err(`  ${line}`);
    return EXIT.USAGE;
  }
  const { pickServer } = await import('../tui/server-picker.js');
  const index = await pickServer(formatServers(servers), { input: ctx.stdin, output: ctx.stdout });
  const chosen = index === undefined ? undefined : servers[index];
  if (chosen === undefined) {
    ctx.err('udp-chat: no server chosen');
    return EXIT.USAGE;
  }
  return serverArg(chosen);
}

async function runJoin(ctx: CliContext, args: ArgumentsCamelCase<JoinArgs>): Promise<ExitCode> {
  const interactive = !args.plain && ctx.stdin.isTTY === true && ctx.stdout.isTTY === true;
  const server = args.server ?? (await discoverServer(ctx, interactive));
  if (typeof server !== 'string') return server;
  const seal = await clientSeal(server, { acceptNewKey: args['accept-new-key'], passphrase: passphraseOf(args, ctx.env), serverKey: args['server-key'] }, ctx.env);
  const client = new ChatClient({ server, nick: args.nick, joinTimeoutMs: args.timeout * 1000, seal: seal.options });
  // A key proven by the handshake (first contact, or a change accepted with --accept-new-key) is
  // remembered, and told once: on stderr when not on a terminal, as SSH tells of a host key it adds
  // (not prefixed "udp-chat:", which marks errors); on a terminal (the full-screen client, or line
  // mode's prompt) a line written past the front end would break its display, so the front end
  // shows it as a notice (escaped, as every notice).
  const onTerminal = ctx.stdin.isTTY === true && ctx.stdout.isTTY === true;
  const tell = (line: string): void => (onTerminal ? client.notice(line) : ctx.err(line));
  client.on('server-key', (key: Buffer) => {
    seal.pin(key).then(
      (line) => tell(`${line[0]!.toUpperCase()}${line.slice(1)}`),
      (err: unknown) => tell(`${onTerminal ? 'Cannot' : 'udp-chat: cannot'} remember the server's key: ${(err as Error).message}`),
    );
  });
  const rooms = args.room;
  // The rooms of --room are joined once the session is first online (a rejoin resumes them).
  const joinRooms = (e: ClientEvent): void => {
    if (e.type !== 'joined' || e.rejoined) return;
    client.off('event', joinRooms);
    for (const room of rooms) if (!sameRoom(room, LOBBY_NAME)) client.joinRoom(room);
  };
  if (rooms.length > 0) client.on('event', joinRooms);
  if (interactive) {
    // Loaded only here: blessed is slow to load and line mode never needs it.
    const { runTui } = await import('../tui/run-tui.js');
    await client.connect();
    // The UI handles Ctrl-C, SIGTERM and SIGHUP itself: it leaves and restores the terminal.
    const done = runTui(client, { bell: args.bell, rooms });
    client.join();
    return exitCodeFor(await done);
  }
  const noColor = ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '';
  const run = runLineMode(client, {
    input: ctx.stdin,
    output: ctx.stdout,
    errors: ctx.stderr,
    color: ctx.stdout.isTTY === true && !noColor,
    drainTimeoutMs: args.wait * 1000,
    interactive: ctx.stdin.isTTY === true && ctx.stdout.isTTY === true,
    rooms,
    ...(args.history === undefined ? {} : { history: args.history }),
  });
  await client.connect();
  client.join();
  const outcome = await Promise.race([run, ctx.untilSignal().then(async () => {
    const undelivered = client.pending > 0;
    await client.leave();
    return undelivered ? 'undelivered' as const : 'left' as const;
  })]);
  client.shutdown();
  return exitCodeFor(outcome);
}
