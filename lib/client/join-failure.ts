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
 * allowed); 'retry' — trying again later may work (unreachable, full, too many sessions).
 */
export function joinFailureKind(code: ErrorCode): 'nick' | 'retry' {
  return code === 'UDPCHAT_ERR_NICK_TAKEN' || code === 'UDPCHAT_ERR_NICK_INVALID' || code === 'UDPCHAT_ERR_NICK_OWNED' ? 'nick' : 'retry';
}
