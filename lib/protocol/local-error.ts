import { ERROR_DESCRIPTIONS, type LocalErrorCode } from './error-codes.js';

/**
 * An error of our own making or of the environment, as opposed to {@link ProtocolError} (what a
 * peer sent): a value the wire format cannot carry handed to `encode`, a session method called in
 * the wrong state, an address that cannot be parsed, resolved or bound, a join nobody answered,
 * messages given up on. `code` is stable (docs/protocol.md §7); `message` is for humans.
 */
export class LocalError extends Error {
  readonly code: LocalErrorCode;

  constructor(code: LocalErrorCode, message?: string) {
    super(message ?? ERROR_DESCRIPTIONS[code]);
    this.name = 'LocalError';
    this.code = code;
  }
}
