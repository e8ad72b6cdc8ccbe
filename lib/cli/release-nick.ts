/**
 * `udp-chat release-nick <nick>`: the operator frees a nick whose owner lost their user key
 * (docs/protocol.md §5.3 "Ownership"; README "Nick ownership"). It edits nicks.json in the
 * server's store while holding the store's lock, so it works only while that server is stopped:
 * a running server keeps the bindings in memory and would write its own copy back.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { DEFAULT_PORT } from '../protocol/constants.js';
import { LocalError } from '../protocol/local-error.js';
import { checkNick } from '../protocol/nick.js';
import { fingerprint } from '../protocol/seal/fingerprint.js';
import { NickOwners } from '../server/nick-owners.js';
import { NickFileError, encodeNicks, readNicks } from '../server/store/nick-file.js';
import { NodeDisk } from '../server/store/disk.js';
import { LockedError, acquireLock } from '../state/lock-file.js';
import { type CliContext, singleValued } from './context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { storeDirFor } from './serve-store.js';
import { existsSync } from 'node:fs';

export interface ReleaseNickArgs {
  nick: string;
  data: string | undefined;
  name: string | undefined;
  port: number;
}

export function releaseNickCommand(ctx: CliContext): CommandModule<object, ReleaseNickArgs> {
  return {
    command: 'release-nick <nick>',
    describe: "Free a nick bound to a user key (its owner lost the key); the server must be stopped",
    builder: (y: Argv) =>
      y
        .positional('nick', { type: 'string', demandOption: true, describe: 'The nick to free (compared as the server compares nicks)' })
        .option('data', { type: 'string', describe: "The server's store directory, as given to serve --data" })
        .option('name', { type: 'string', describe: "The server's --name (its store is named after it)" })
        .option('port', { type: 'number', default: DEFAULT_PORT, describe: "The server's --port (its store is named after it without --name)" })
        .check((a) => {
          singleValued(a, ['data', 'name', 'port']);
          if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535) throw new Error('--port must be a whole number from 1 to 65535');
          if (a.data === '' || a.data === 'none') throw new Error('--data must name a store directory');
          return true;
        }) as unknown as Argv<ReleaseNickArgs>,
    handler: (args) => {
      ctx.result = runReleaseNick(ctx, args);
      ctx.result.catch(() => undefined);
    },
  };
}

async function runReleaseNick(ctx: CliContext, args: ArgumentsCamelCase<ReleaseNickArgs>): Promise<ExitCode> {
  const checked = checkNick(String(args.nick));
  if (!checked.ok) throw new LocalError('UDPCHAT_ERR_BAD_FIELD', `"${args.nick}" is not a valid nick: ${checked.reason}`);
  const dir = storeDirFor({ data: args.data, persist: true, name: args.name, keep: 1, 'keep-days': undefined, repair: false }, args.port, ctx.env);
  if (dir === undefined || !existsSync(dir)) throw new LocalError('UDPCHAT_ERR_STORE_UNAVAILABLE', `no server store at ${dir ?? '(none)'}: give the server's --data, --name or --port`);
  let lock;
  try {
    lock = acquireLock(dir);
  } catch (err) {
    if (err instanceof LockedError) {
      throw new LocalError('UDPCHAT_ERR_STORE_LOCKED', `the server (pid ${err.pid}) is running on ${dir}: stop it, run release-nick, then start it again`);
    }
    throw err;
  }
  const disk = new NodeDisk(dir);
  try {
    const bindings = await readNicks(disk).catch((err: unknown) => {
      if (err instanceof NickFileError) throw new LocalError('UDPCHAT_ERR_STORE_DAMAGED', `store ${dir}: ${err.message}`);
      throw err;
    });
    // The binding the server would find for this nick (either key, §5.3).
    const found = new NickOwners(Infinity, bindings).ownerOf(checked);
    if (found === undefined) {
      ctx.err(`udp-chat: no binding for "${checked.nick}" in ${dir} (nothing to release)`);
      return EXIT.FAILURE;
    }
    await disk.writeAtomic('nicks.json', encodeNicks(bindings.filter((b) => b.nickKey !== found.nickKey), Date.now()));
    ctx.out(`released "${found.nick}" (was bound to ${fingerprint(found.owner)}, last used ${new Date(found.lastUsedMs).toISOString()}): the next user to join with it owns it`);
    return EXIT.OK;
  } finally {
    await disk.close();
    lock.release();
  }
}
