#!/usr/bin/env node
/** Entry point: wires the process to the CLI and sets the exit code. */
import { hideBin } from 'yargs/helpers';
import { main } from '../lib/cli/main.js';

// Listen from the start: a signal that arrives while a command is still starting must not kill
// the process before it has told its peers.
const signalled = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
const untilSignal = (): Promise<void> => signalled;

const code = await main(hideBin(process.argv), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  untilSignal,
});
process.exitCode = code;
// Anything still holding the event loop (a paused stdin, a lingering socket) must not keep a
// finished command alive.
setTimeout(() => process.exit(code), 1_000).unref();
