/**
 * Words and colours for the status line, and how the UI reacts to a refused join.
 */
import type { ConnectionState } from '../client/session-types.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import type { Style } from './styled-text.js';

export interface StateLabel {
  readonly text: string;
  readonly style: Style;
}

const LABELS: Record<ConnectionState, StateLabel> = {
  idle: { text: 'starting…', style: { fg: 11 } },
  joining: { text: 'joining…', style: { fg: 11 } },
  failed: { text: 'not joined', style: { fg: 9 } },
  online: { text: 'online', style: { fg: 10 } },
  reconnecting: { text: 'reconnecting…', style: { fg: 11 } },
  closed: { text: 'disconnected', style: { fg: 9 } },
};

export function stateLabel(state: ConnectionState): StateLabel {
  return LABELS[state];
}

export const LEAVING: StateLabel = { text: 'leaving…', style: { fg: 11 } };
export const CHOOSE_NICK: StateLabel = { text: 'choose a nickname', style: { fg: 9 } };
export const RETRYING: StateLabel = LABELS.reconnecting;

/**
 * After a refused join: 'nick' when the user must pick another nickname (asked in the UI);
 * 'retry' when trying again later may work (server unreachable, full, too many sessions).
 */
export function joinFailure(code: ErrorCode): 'nick' | 'retry' {
  return code === 'UDPCHAT_ERR_NICK_TAKEN' || code === 'UDPCHAT_ERR_NICK_INVALID' ? 'nick' : 'retry';
}
