/** Process exit codes of `udp-chat` (README "Exit codes"). */
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
