import { type CodecErrorCode, ERROR_DESCRIPTIONS, type WireErrorCode } from './error-codes.js';

/**
 * What a peer sent is wrong: `decode` refuses a datagram with this class and no other, and wire
 * error codes (ERROR datagrams) are of this kind too. Our own misuse and environment failures are
 * {@link LocalError}s. `code` is stable (docs/protocol.md §7); `message` is for humans and may change.
 */
export class ProtocolError extends Error {
  readonly code: CodecErrorCode | WireErrorCode;

  constructor(code: CodecErrorCode | WireErrorCode, message?: string) {
    super(message ?? ERROR_DESCRIPTIONS[code]);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
