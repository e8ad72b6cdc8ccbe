/** Process exit codes of `udp-chat` (README "Exit codes"), decided here and nowhere else. */
import type { SessionOutcome } from '../client/session-outcome.js';

export const EXIT = {
  OK: 0,
  /** Runtime failure: server unreachable, messages not delivered, cut off. */
  FAILURE: 1,
  /** Bad usage: unknown flag, bad address, invalid nickname given on the command line. */
  USAGE: 2,
  /** The server refused the join: nickname taken or invalid, server full. */
  REFUSED: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_OUTCOME: Record<SessionOutcome, ExitCode> = {
  left: EXIT.OK,
  undelivered: EXIT.FAILURE,
  unreachable: EXIT.FAILURE,
  'cut-off': EXIT.FAILURE,
  refused: EXIT.REFUSED,
};

/** The exit code for how a `join` session ended. */
export function exitCodeFor(outcome: SessionOutcome): ExitCode {
  return BY_OUTCOME[outcome];
}
