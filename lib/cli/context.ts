/** What command modules get from main: output streams and the process-level hooks they may use. */
import type { ExitCode } from './exit-codes.js';

export interface CliContext {
  out(line: string): void;
  err(line: string): void;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Resolves on the first SIGINT or SIGTERM. */
  untilSignal(): Promise<void>;
  /** The running command's outcome, set by its handler. */
  result?: Promise<ExitCode>;
}

/** Throws a usage error unless `v` is a whole number ≥ 1 (≥ 0 with `zeroOk`). */
export function positiveInt(v: number, flag: string, zeroOk = false): void {
  if (!Number.isInteger(v) || v < (zeroOk ? 0 : 1)) throw new Error(`${flag} must be a whole number${zeroOk ? '' : ' greater than 0'}`);
}

/** Throws a usage error if any of these flags was given more than once (yargs then makes an array). */
export function singleValued(args: Record<string, unknown>, flags: readonly string[]): void {
  for (const flag of flags) if (Array.isArray(args[flag])) throw new Error(`--${flag} was given more than once`);
}

/** Throws a usage error unless `v` is a number greater than 0. */
export function positiveNumber(v: number, flag: string, unit = ''): void {
  if (!(v > 0)) throw new Error(`${flag} must be a positive number${unit}`);
}
