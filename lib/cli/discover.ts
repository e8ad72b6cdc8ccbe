/** `udp-chat discover`: list the servers on the local networks (docs/protocol.md §5.7). */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { findServers } from '../discovery/find-servers.js';
import { DEFAULT_PORT } from '../protocol/constants.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { type CliContext, positiveNumber, singleValued } from './context.js';
import { formatServers, noneFoundMessage } from './found-servers.js';

export interface DiscoverArgs {
  wait: number;
  port: number;
}

/** Default listening time of `discover` and of `join` without `--server`, seconds. */
export const DEFAULT_DISCOVER_WAIT_S = 2;

export function discoverCommand(ctx: CliContext): CommandModule<object, DiscoverArgs> {
  return {
    command: 'discover',
    describe: 'List the chat servers on the local network (mDNS and broadcast)',
    builder: (y: Argv) =>
      y
        .option('wait', { type: 'number', default: DEFAULT_DISCOVER_WAIT_S, describe: 'Seconds to listen for answers' })
        .option('port', { type: 'number', default: DEFAULT_PORT, describe: 'UDP port the broadcast asks at (servers on other ports are found by mDNS only)' })
        .check((a) => {
          singleValued(a, ['wait', 'port']);
          positiveNumber(a.wait, '--wait', ' of seconds');
          if (a.wait > 60) throw new Error('--wait must be at most 60 seconds');
          if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535) throw new Error('--port must be a whole number from 1 to 65535');
          return true;
        }) as unknown as Argv<DiscoverArgs>,
    handler: (args) => {
      ctx.result = runDiscover(ctx, args);
      ctx.result.catch(() => undefined);
    },
  };
}

async function runDiscover(ctx: CliContext, args: ArgumentsCamelCase<DiscoverArgs>): Promise<ExitCode> {
  const servers = await findServers({ waitMs: args.wait * 1000, port: args.port });
  if (servers.length === 0) {
    for (const line of noneFoundMessage(args.wait, args.port)) ctx.err(line);
    return EXIT.FAILURE;
  }
  for (const line of formatServers(servers)) ctx.out(line);
  return EXIT.OK;
}
