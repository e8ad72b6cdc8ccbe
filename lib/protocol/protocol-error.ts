import { ERROR_DESCRIPTIONS, type ErrorCode } from './error-codes.js';

/**
 * The one error class of the protocol layer. `code` is stable (docs/protocol.md §7);
 * `message` is for humans and may change.
 */
export class ProtocolError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message?: string) {
    super(message ?? ERROR_DESCRIPTIONS[code]);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
