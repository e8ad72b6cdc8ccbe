/**
 * The client session's phases (docs/protocol.md §6.2.1–§6.2.2) and which changes between them are
 * legal, as data. Every change goes through {@link PhaseMachine.set}, which refuses an illegal one:
 * such a change is a bug in the client core, never something the network can cause.
 */

import type { ConnectionState } from './session-types.js';

export type Phase = 'idle' | 'hello' | 'joining' | 'online' | 'leaving' | 'failed' | 'closed';

/** For each phase, the phases it may change to (§6.2.2). */
export const TRANSITIONS: Readonly<Record<Phase, readonly Phase[]>> = {
  // join(); leave() before joining.
  idle: ['hello', 'closed'],
  // COOKIE; WELCOME; refusal or first-join timeout; join() again (restart); leave().
  hello: ['hello', 'joining', 'online', 'failed', 'closed'],
  joining: ['hello', 'joining', 'online', 'failed', 'closed'],
  // The session is lost (rejoin); leave(); cut off for flooding.
  online: ['hello', 'leaving', 'closed'],
  // BYE(quit), LEAVE retries exhausted, or the server no longer knows the session.
  leaving: ['closed'],
  // join() again (another nickname, or a retry); leave().
  failed: ['hello', 'closed'],
  closed: [],
};

/** The current phase, changed only along {@link TRANSITIONS}. */
export class PhaseMachine {
  private current: Phase = 'idle';

  get phase(): Phase {
    return this.current;
  }

  /** Changes the phase; throws on a change the table does not allow (a bug in the caller). */
  set(next: Phase): void {
    if (!TRANSITIONS[this.current].includes(next)) throw new Error(`client core: illegal phase change ${this.current} → ${next}`);
    this.current = next;
  }

  /** In the join handshake (hello or joining). */
  get handshaking(): boolean {
    return this.current === 'hello' || this.current === 'joining';
  }

  /** Over or on the way out: nothing new may be said or joined. */
  get ending(): boolean {
    return this.current === 'leaving' || this.current === 'closed';
  }
}

/**
 * The state a front end shows for a phase (§6.2.1): the handshake after having been online is
 * "reconnecting", and so is an online session that has heard nothing for a while (`stalled`).
 */
export function connectionState(phase: Phase, everOnline: boolean, stalled: boolean): ConnectionState {
  switch (phase) {
    case 'online':
      return stalled ? 'reconnecting' : 'online';
    case 'hello':
    case 'joining':
      return everOnline ? 'reconnecting' : 'joining';
    case 'leaving':
      return 'closed';
    default:
      return phase;
  }
}
