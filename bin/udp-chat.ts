#!/usr/bin/env node
/** Entry point: wires the process to the CLI and sets the exit code. */
import { hideBin } from 'yargs/helpers';
import { main } from '../lib/cli/main.js';

// Listen from the start: a signal that arrives while a command is still starting must not kill
// the process before it has told its peers.
let stop: () => void = () => undefined;
const signalled = new Promise<void>((resolve) => {
  stop = resolve;
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
const untilSignal = (): Promise<void> => signalled;

// A reader that goes away (`udp-chat serve | head -3`, a log pipe closed) ends the command as a
// signal does: the server tells its peers and closes its store, a client leaves. Without this, the
// next line written would crash the process with an unhandled EPIPE and a stack trace.
const gone = { stdout: false, stderr: false };
const write = (name: keyof typeof gone, line: string): void => {
  if (!gone[name]) process[name].write(`${line}\n`);
};
for (const name of ['stdout', 'stderr'] as const) {
  process[name].on('error', (err: NodeJS.ErrnoException) => {
    if (gone[name]) return;
    gone[name] = true;
    if (name === 'stdout') write('stderr', `udp-chat: standard output closed (${err.code ?? err.message}): stopping`);
    stop();
  });
}

const code = await main(hideBin(process.argv), {
  out: (line) => write('stdout', line),
  err: (line) => write('stderr', line),
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
