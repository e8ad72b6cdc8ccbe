/**
 * How a failed join is classified, once, for both front ends (docs/protocol.md §6.2.2, §7).
 */
import type { ErrorCode, WireErrorCode } from '../protocol/error-codes.js';

/** The ERROR codes (ref = clientId) that refuse a JOIN. */
const JOIN_REFUSALS: ReadonlySet<ErrorCode> = new Set<WireErrorCode>([
  'UDPCHAT_ERR_NICK_TAKEN',
  'UDPCHAT_ERR_NICK_INVALID',
  'UDPCHAT_ERR_SERVER_FULL',
  'UDPCHAT_ERR_TOO_MANY_SESSIONS',
  'UDPCHAT_ERR_NICK_OWNED',
]);

/** True for the codes that refuse a JOIN. */
export function isJoinRefusal(code: ErrorCode): boolean {
  return JOIN_REFUSALS.has(code);
}

/**
 * What the user can do about a failed join: 'nick' — choose another nickname (taken, owned or not
 * allowed); 'final' — nothing from here: the server's key is not the one expected, or the
 * passphrase is wrong (join again with other flags: line mode exits 3, the full-screen client stops
 * trying); 'retry' — trying again later may work (unreachable, full, too many sessions).
 */
export function joinFailureKind(code: ErrorCode): 'nick' | 'final' | 'retry' {
  switch (code) {
    case 'UDPCHAT_ERR_NICK_TAKEN':
    case 'UDPCHAT_ERR_NICK_INVALID':
    case 'UDPCHAT_ERR_NICK_OWNED':
      return 'nick';
    case 'UDPCHAT_ERR_SERVER_KEY_CHANGED':
    case 'UDPCHAT_ERR_WRONG_PASSPHRASE':
      return 'final';
    default:
      return 'retry';
  }
}
