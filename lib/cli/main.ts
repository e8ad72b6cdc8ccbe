/**
 * The command line: parses argv with yargs, runs one command, and is the one place where errors
 * become a message on stderr and an exit code.
 */
import yargs from 'yargs';
import { LocalError } from '../protocol/local-error.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliContext } from './context.js';
import { discoverCommand } from './discover.js';
import { joinCommand } from './join.js';
import { serveCommand } from './serve.js';
import { releaseNickCommand } from './release-nick.js';
import { packageVersion } from './package-version.js';

const USAGE_CODES = new Set(['UDPCHAT_ERR_BAD_ADDRESS']);

/**
 * The examples of --help, each command on a line of its own and its description below it: yargs'
 * two columns wrapped a long command at 80 columns, and its tail, alone at the left, read as
 * another example.
 */
const EXAMPLES: ReadonlyArray<readonly [command: string, description: string]> = [
  ['udp-chat serve', 'start a server on port 7777'],
  ['udp-chat join --nick bob', 'join the server on the local network (found by itself)'],
  ['udp-chat join --nick bob --server 192.168.1.5', 'join a server by its address'],
  ['echo done | udp-chat join --nick ci --server host', 'send from a script'],
];
const EXAMPLES_TEXT = ['Examples:', ...EXAMPLES.flatMap(([command, description]) => [`  ${command}`, `      ${description}`])].join('\n');

/** Anything wrong with the command line itself. */
class UsageError extends Error {}

/** Runs `udp-chat` with these arguments; resolves the exit code. Never calls process.exit. */
export async function main(argv: string[], ctx: CliContext): Promise<ExitCode> {
  const parser = yargs(argv)
    .scriptName('udp-chat')
    .usage('udp-chat <command> [options]\n\nA chat for the local network over UDP: reliable, ordered, no setup.')
    .command(serveCommand(ctx))
    .command(joinCommand(ctx))
    .command(discoverCommand(ctx))
    .command(releaseNickCommand(ctx))
    .demandCommand(1, 'Say which command: serve, join, discover or release-nick.')
    .strict()
    .epilog(`${EXAMPLES_TEXT}\n\nRun \`udp-chat <command> --help\` for the options of a command.`)
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    .wrap(Math.min(100, ctx.stdout.columns ?? 100))
    // Handlers only start their command (ctx.result), so everything failing here is usage.
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? 'bad usage');
    })
    .exitProcess(false);
  try {
    await parser.parseAsync();
  } catch (err) {
    if (!(err instanceof UsageError)) return report(ctx, err);
    ctx.err(`udp-chat: ${err.message}`);
    ctx.err('Run `udp-chat --help` for usage.');
    return EXIT.USAGE;
  }
  if (ctx.result === undefined) return EXIT.OK; // --help, --version
  try {
    return await ctx.result;
  } catch (err) {
    return report(ctx, err);
  }
}

/** The one place an error becomes a line on stderr and an exit code. */
function report(ctx: CliContext, err: unknown): ExitCode {
  // Our misuse or the environment (LocalError) and what a peer sent (ProtocolError) both carry a
  // stable code and a one-line message; anything else is a bug and gets its stack.
  if (err instanceof LocalError || err instanceof ProtocolError) {
    ctx.err(`udp-chat: ${err.message}`);
    return USAGE_CODES.has(err.code) ? EXIT.USAGE : EXIT.FAILURE;
  }
  ctx.err(`udp-chat: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return EXIT.FAILURE;
}
