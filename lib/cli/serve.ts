/** `udp-chat serve`: run a server, log to stderr, stop cleanly on Ctrl-C / SIGTERM. */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { DEFAULT_PORT, DEFAULTS } from '../protocol/constants.js';
import { LocalError } from '../protocol/local-error.js';
import { ChatServer } from '../server/chat-server.js';
import { DEFAULT_SERVER_OPTIONS, checkRoomsPerUser, roomsPerUserLimit } from '../server/server-options.js';
import { MAX_SEALED_INNER } from '../protocol/seal/envelope.js';
import { formatAddress } from '../server/peer-address.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { type CliContext, positiveInt, positiveNumber, singleValued } from './context.js';
import { type StoreArgs, checkStoreArgs, openServeStore, storeDirFor, storeOptions } from './serve-store.js';
import type { StoreHandle } from '../server/store/open-store.js';
import { SLOW_COMMIT_MS } from '../server/store/log-store.js';
import { commandPrefix } from './invocation.js';
import { type SealArgs, keyDirFor, passphraseOf, passphraseOption, serverSeal } from './serve-seal.js';
import type { ServerKeys } from '../protocol/seal/identity.js';
import { type AnnounceArgs, announceOptions, checkServerName, joinHints, serverName, startAnnouncing } from './serve-discovery.js';

export interface ServeArgs extends StoreArgs, AnnounceArgs, SealArgs {
  host: string;
  port: number;
  history: number;
  'max-peers': number;
  rate: number;
  burst: number;
  'idle-timeout': number;
  'sessions-per-ip': number;
  'hard-rate': number;
  'hard-burst': number;
  quiet: boolean;
  'nick-release-days': number;
  'max-rooms': number;
  'max-rooms-per-user': number;
}

const STATS_EVERY_MS = 30_000;

export function serveCommand(ctx: CliContext): CommandModule<object, ServeArgs> {
  return {
    command: 'serve',
    describe: 'Run a chat server',
    builder: (y: Argv) =>
      passphraseOption(announceOptions(storeOptions(y)), 'Only people who know this passphrase can join or read (sealed sessions always encrypt)')
        .option('allow-cleartext', { type: 'boolean', default: false, describe: 'Also admit clients of earlier, unencrypted udp-chat versions (their chat is readable and forgeable on the network); default: they are refused and told to upgrade' })
        .option('host', { type: 'string', default: '0.0.0.0', describe: 'Address to listen on (:: for IPv6)' })
        .option('port', { type: 'number', default: DEFAULT_PORT, describe: 'UDP port to listen on (0 picks a free one)' })
        .option('history', { type: 'number', default: DEFAULTS.historyMessages, describe: 'Messages replayed to a newcomer' })
        .option('max-peers', { type: 'number', default: DEFAULTS.maxPeers, describe: 'Most users online at once' })
        .option('rate', { type: 'number', default: DEFAULTS.rate, describe: 'Messages per second a user may send (sustained); faster senders are slowed, not dropped' })
        .option('burst', { type: 'number', default: DEFAULTS.burst, describe: 'Messages a user may send at once before --rate applies' })
        .option('idle-timeout', { type: 'number', default: DEFAULTS.idleTimeoutMs / 1000, describe: 'Seconds of silence before a user is dropped as timed out' })
        .option('sessions-per-ip', { type: 'number', default: DEFAULTS.sessionsPerIp, describe: 'Most users online at once from one IP address' })
        .option('hard-rate', { type: 'number', default: DEFAULTS.hardRate, describe: 'Datagrams per second a user may send before being cut off as a flood' })
        .option('hard-burst', { type: 'number', default: DEFAULTS.hardBurst, describe: 'Datagrams a user may send at once before --hard-rate applies' })
        .option('nick-release-days', { type: 'number', default: 30, describe: 'Days a nick bound to a user key must go unused before another key may take it' })
        .option('max-rooms', { type: 'number', default: DEFAULT_SERVER_OPTIONS.maxRooms, describe: 'Most rooms on the server (#lobby not counted); /join of a new room past it is refused' })
        .option('max-rooms-per-user', { type: 'number', default: DEFAULT_SERVER_OPTIONS.maxRoomsPerUser, describe: `Most rooms one user may be in at once (#lobby not counted), at most ${roomsPerUserLimit(MAX_SEALED_INNER)}` })
        .option('quiet', { type: 'boolean', default: false, describe: 'Log only start, stop, refusals and evictions (not every join and leave)' })
        .check((a) => {
          singleValued(a, ['host', 'port', 'history', 'max-peers', 'rate', 'burst', 'idle-timeout', 'sessions-per-ip', 'hard-rate', 'hard-burst', 'data', 'name', 'keep', 'keep-days', 'nick-release-days', 'max-rooms', 'max-rooms-per-user']);
          checkStoreArgs(a as unknown as StoreArgs);
          if (a.passphrase !== undefined) passphraseOf(a as { passphrase?: string }, {});
          if (a['allow-cleartext'] === true && (a.passphrase !== undefined || ctx.env['UDP_CHAT_PASSPHRASE'] !== undefined)) {
            throw new Error('--allow-cleartext cannot be used with a passphrase: a cleartext client would join without it');
          }
          checkServerName(a.name as string | undefined);
          if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new Error('--port must be a whole number from 0 to 65535');
          positiveInt(a.history, '--history', true);
          positiveInt(a['max-peers'], '--max-peers');
          positiveInt(a.burst, '--burst');
          positiveInt(a['sessions-per-ip'], '--sessions-per-ip');
          positiveInt(a['hard-burst'], '--hard-burst');
          positiveNumber(a['hard-rate'], '--hard-rate');
          positiveNumber(a.rate, '--rate');
          positiveNumber(a['nick-release-days'], '--nick-release-days', ' of days');
          positiveInt(a['max-rooms'], '--max-rooms', true);
          positiveInt(a['max-rooms-per-user'], '--max-rooms-per-user', true);
          // The server's own check, for a sealed server (what serve always runs), worded for the flag.
          checkRoomsPerUser(a['max-rooms-per-user'], MAX_SEALED_INNER, '--max-rooms-per-user');
          if (!(a['idle-timeout'] >= 1)) throw new Error('--idle-timeout must be at least 1 second');
          return true;
        }) as unknown as Argv<ServeArgs>,
    handler: (args) => {
      // Started, not awaited: main() awaits it, so that yargs' failure path sees only usage errors.
      ctx.result = runServe(ctx, args);
      ctx.result.catch(() => undefined);
    },
  };
}

async function runServe(ctx: CliContext, args: ArgumentsCamelCase<ServeArgs>): Promise<ExitCode> {
  const idleTimeoutMs = Math.round(args['idle-timeout'] * 1000);
  const log = (line: string): void => ctx.err(`${new Date().toISOString()} ${line}`);
  const dir = storeDirFor(args, args.port, ctx.env);
  const seal = await serverSeal(keyDirFor(args, ctx.env), passphraseOf(args, ctx.env));
  const store = dir === undefined ? undefined : await openServeStore(dir, args);
  for (const note of store?.notes ?? []) log(`store: ${note}`);
  const server = await startServer(args, idleTimeoutMs, store, seal).catch(async (err: unknown) => {
    await store?.close();
    // What to do about it, beside what happened.
    if (err instanceof LocalError && err.code === 'UDPCHAT_ERR_ADDRESS_IN_USE') {
      throw new LocalError(err.code, `${err.message} (another server runs there? --port 0 picks a free port)`);
    }
    throw err;
  });
  const bound = server.address();
  ctx.out(`udp-chat listening on ${formatAddress(bound)}`);
  ctx.out(storeLine(store, args.port));
  ctx.out(seal.line);
  if (args['allow-cleartext']) log('warning: --allow-cleartext: clients of earlier versions join unencrypted; what they send and receive is readable and forgeable on the network');
  for (const hint of joinHints(args.host, bound.port, commandPrefix(ctx.env, process.argv[1]), args.announce)) ctx.out(hint);
  if (!args.quiet) server.on('join', (e) => log(`join ${JSON.stringify(e.nick)} from ${formatAddress(e.address)}${e.resumed ? ' (resumed)' : ''}`));
  server.on('storage', (e) => {
    if (e.ok) log(`store: writing works again after ${Math.round(e.after / 1000)} s; new messages are acknowledged again`);
    else log(`store: cannot write (${(e.error as NodeJS.ErrnoException).code ?? e.error.message}): new messages are not acknowledged until it works again (retrying every second)`);
  });
  return serveUntilSignal(ctx, args, server, log);
}

function storeLine(store: StoreHandle | undefined, port: number): string {
  if (store === undefined) return `  room log: in memory only${port === 0 ? ' (port 0: use --name or --data to keep it on disk)' : ''}`;
  const { lastSeq } = store.restore;
  const held = lastSeq === 0 ? 'empty' : `${lastSeq - store.log.oldestSeq + 1} entries on disk, up to seq ${lastSeq}`;
  return `  room log: ${store.dir} (${held})`;
}

function startServer(
  args: ArgumentsCamelCase<ServeArgs>,
  idleTimeoutMs: number,
  store: StoreHandle | undefined,
  seal: { keys: ServerKeys; psk: Buffer | undefined },
  allowCleartext = args['allow-cleartext'],
): Promise<ChatServer> {
  return ChatServer.start({
    seal: { keys: seal.keys, psk: seal.psk, allowCleartext },
    ...(args.announce ? { discovery: { name: serverName(args) } } : {}),
    host: args.host,
    port: args.port,
    historyMessages: args.history,
    maxPeers: args['max-peers'],
    rate: args.rate,
    burst: args.burst,
    sessionsPerIp: args['sessions-per-ip'],
    hardRate: args['hard-rate'],
    hardBurst: args['hard-burst'],
    idleTimeoutMs,
    heartbeatMs: Math.min(DEFAULTS.heartbeatMs, Math.floor(idleTimeoutMs / 6)),
    nickReleaseMs: Math.round(args['nick-release-days'] * 86_400_000),
    maxRooms: args['max-rooms'],
    maxRoomsPerUser: args['max-rooms-per-user'],
    store,
  });
}

async function serveUntilSignal(ctx: CliContext, args: ArgumentsCamelCase<ServeArgs>, server: ChatServer, log: (line: string) => void): Promise<ExitCode> {
  server.on('leave', (e) => {
    if (!args.quiet || e.reason === 'timeout' || e.reason === 'flooding') {
      log(`leave ${JSON.stringify(e.nick)} (${e.reason})${e.reason === 'timeout' ? ' — evicted' : e.reason === 'flooding' ? ' — cut off' : ''}`);
    }
  });
  server.on('refused', (e) => log(`refused ${JSON.stringify(e.nick)} from ${formatAddress(e.address)}: ${e.code}`));
  server.on('warning', (err) => log(err.name.startsWith('Store') ? err.message : `send failed: ${err.message}`));
  const announcer = startAnnouncing(args, server.address().port, server, log);
  let lastDrops = '';
  const started = Date.now();
  const stats = setInterval(() => {
    const drops = formatDrops(server.stats.drops);
    if (drops !== lastDrops) log(`dropped datagrams so far: ${drops}`);
    lastDrops = drops;
  }, STATS_EVERY_MS);
  await ctx.untilSignal();
  clearInterval(stats);
  log(`shutting down: telling ${server.core.sessions.size} peer(s)`);
  await Promise.all([server.close(), announcer?.stop()]);
  const s = server.stats;
  log(`stopped: ${s.received} datagrams in, ${s.accepted} messages accepted, dropped: ${formatDrops(s.drops) || 'none'}`);
  const st = server.storeStats;
  if (st !== undefined && st.records > 0) {
    const secs = Math.max(1, (Date.now() - started) / 1000);
    log(`store stats: ${st.records} records in ${st.writes} writes and ${st.syncs} flushes (${(st.syncs / secs).toFixed(1)} flushes/s), ${st.bytes} bytes (${(st.bytes / st.records).toFixed(0)} per record); ${st.slowCommits} commits over ${SLOW_COMMIT_MS} ms, the longest ${st.longestCommitMs.toFixed(1)} ms`);
  }
  return EXIT.OK;
}

function formatDrops(drops: Record<string, number>): string {
  return Object.entries(drops)
    .sort()
    .map(([k, v]) => `${k.replace('UDPCHAT_ERR_', '')}=${v}`)
    .join(' ');
}
