/**
 * How a front end's run with a session ended, as it reports it. The CLI turns it into the
 * process's exit code (lib/cli/exit-codes.ts): front ends decide what happened, not numbers.
 */
export type SessionOutcome =
  /** The user left (or input ended) with everything delivered. */
  | 'left'
  /** The user left, or input ended, with messages the server never acknowledged. */
  | 'undelivered'
  /** The server could not be reached (no answer, or nothing listening on that port). */
  | 'unreachable'
  /** The server refused the join (nickname taken or not allowed, server full). */
  | 'refused'
  /** The server ended the session (cut off for flooding, or gone for good). */
  | 'cut-off';
