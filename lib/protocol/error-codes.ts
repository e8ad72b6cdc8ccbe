/**
 * Stable error codes (docs/protocol.md §7). Wire codes travel in ERROR datagrams; the others
 * are never sent: the decoder raises them for what a peer sent (ProtocolError), the encoder, the
 * client and the server for our own misuse or the environment (LocalError).
 */

/** Codes sent on the wire, with their u16 numbers. */
export const WIRE_ERROR_CODES = {
  UDPCHAT_ERR_NICK_TAKEN: 1,
  UDPCHAT_ERR_NICK_INVALID: 2,
  UDPCHAT_ERR_SERVER_FULL: 3,
  UDPCHAT_ERR_TOO_MANY_SESSIONS: 4,
  UDPCHAT_ERR_UNKNOWN_SESSION: 5,
  UDPCHAT_ERR_TEXT_TOO_LONG: 6,
  UDPCHAT_ERR_TEXT_INVALID: 7,
  UDPCHAT_ERR_UNSUPPORTED: 8,
  UDPCHAT_ERR_FLOODING: 9,
  UDPCHAT_ERR_HISTORY_GONE: 10,
  UDPCHAT_ERR_NOT_ONLINE: 11,
  UDPCHAT_ERR_NO_SUCH_ROOM: 12,
  UDPCHAT_ERR_ROOM_LIMIT: 13,
  UDPCHAT_ERR_ROOM_NAME_INVALID: 14,
  UDPCHAT_ERR_WRONG_PASSPHRASE: 16,
  UDPCHAT_ERR_NICK_OWNED: 17,
} as const;

export type WireErrorCode = keyof typeof WIRE_ERROR_CODES;

/**
 * Codes of a datagram the decoder refuses: raised as ProtocolError by `decode` (what a peer
 * sent). The encoder raises OVERSIZE, BAD_UTF8 and BAD_FIELD too, as LocalError (our misuse).
 */
export type CodecErrorCode =
  | 'UDPCHAT_ERR_BAD_MAGIC'
  | 'UDPCHAT_ERR_BAD_VERSION'
  | 'UDPCHAT_ERR_BAD_CHECKSUM'
  | 'UDPCHAT_ERR_UNKNOWN_TYPE'
  | 'UDPCHAT_ERR_TRUNCATED'
  | 'UDPCHAT_ERR_OVERSIZE'
  | 'UDPCHAT_ERR_TRAILING_BYTES'
  | 'UDPCHAT_ERR_BAD_UTF8'
  | 'UDPCHAT_ERR_BAD_FIELD';

/** Codes the encoder raises for a value the wire format cannot carry. */
export type EncodeErrorCode = 'UDPCHAT_ERR_OVERSIZE' | 'UDPCHAT_ERR_BAD_UTF8' | 'UDPCHAT_ERR_BAD_FIELD';

/** Codes of our own misuse or of the environment, never sent (LocalError, or a join-failed event). */
export type ProgramErrorCode =
  | 'UDPCHAT_ERR_SERVER_UNREACHABLE'
  | 'UDPCHAT_ERR_BAD_ADDRESS'
  | 'UDPCHAT_ERR_ADDRESS_IN_USE'
  | 'UDPCHAT_ERR_NOT_JOINED'
  | 'UDPCHAT_ERR_SERVER_KEY_CHANGED'
  | 'UDPCHAT_ERR_STORE_LOCKED'
  | 'UDPCHAT_ERR_STORE_DAMAGED'
  | 'UDPCHAT_ERR_STORE_UNAVAILABLE';

/** Codes a {@link LocalError} carries: our misuse (encoder, session methods) or the environment. */
export type LocalErrorCode = EncodeErrorCode | ProgramErrorCode;

export type ErrorCode = WireErrorCode | CodecErrorCode | ProgramErrorCode;

/** One sentence per code; docs/protocol.md §7 repeats these verbatim (a spec checks it). */
export const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  UDPCHAT_ERR_NICK_TAKEN: 'The nickname is in use by another online user (compared after normalisation).',
  UDPCHAT_ERR_NICK_INVALID: 'The nickname is empty, too long, or contains characters that are not allowed.',
  UDPCHAT_ERR_SERVER_FULL: 'The server already has as many peers as it accepts.',
  UDPCHAT_ERR_TOO_MANY_SESSIONS: 'Too many sessions are online from this IP address, or were created from it in the last minute.',
  UDPCHAT_ERR_UNKNOWN_SESSION: 'The token names no live session on this server (it restarted or evicted the peer): join again.',
  UDPCHAT_ERR_TEXT_TOO_LONG: 'The message text is longer than the server accepts (its maxText, at most 1000 UTF-8 bytes); it was not accepted.',
  UDPCHAT_ERR_TEXT_INVALID: 'The message text is empty; it was not accepted.',
  UDPCHAT_ERR_UNSUPPORTED: 'The request uses a target or capability this server does not support.',
  UDPCHAT_ERR_FLOODING: 'The peer kept sending past the hard rate limit and was cut off.',
  UDPCHAT_ERR_HISTORY_GONE: 'The requested sequence numbers are older than the oldest the server still keeps.',
  UDPCHAT_ERR_NOT_ONLINE: 'Nobody online has the nickname a private message names (offline delivery is not supported).',
  UDPCHAT_ERR_NO_SUCH_ROOM: 'The request names a room or conversation the session is not in.',
  UDPCHAT_ERR_ROOM_LIMIT: 'The server has as many rooms as it allows, or the session is in as many rooms or conversations as it may be.',
  UDPCHAT_ERR_ROOM_NAME_INVALID: 'The room name is not a # followed by a valid nickname (the same rules), or the name is a nickname where a room is needed.',
  UDPCHAT_ERR_WRONG_PASSPHRASE: 'The server has a passphrase and the join used another one (or none); sent in a sealed REFUSAL.',
  UDPCHAT_ERR_NICK_OWNED: 'The nickname is bound to another user key (or to a key, and the join was in cleartext) until it goes unused for the server\'s release time.',
  UDPCHAT_ERR_BAD_MAGIC: 'The datagram does not start with the udp-chat magic bytes.',
  UDPCHAT_ERR_BAD_VERSION: 'The datagram carries a protocol version this implementation does not speak.',
  UDPCHAT_ERR_BAD_CHECKSUM: 'The CRC-32 trailer of the datagram does not match its contents: it was damaged on the way.',
  UDPCHAT_ERR_UNKNOWN_TYPE: 'The datagram type byte is not one this protocol defines.',
  UDPCHAT_ERR_TRUNCATED: 'The datagram ends before a field it declares or requires.',
  UDPCHAT_ERR_OVERSIZE: 'The datagram is longer than 1200 bytes.',
  UDPCHAT_ERR_TRAILING_BYTES: 'The datagram has bytes after its last field.',
  UDPCHAT_ERR_BAD_UTF8: 'A text field is not well-formed UTF-8.',
  UDPCHAT_ERR_BAD_FIELD: 'A field holds a value outside its allowed range.',
  UDPCHAT_ERR_SERVER_UNREACHABLE: 'The server did not answer a join within the time allowed.',
  UDPCHAT_ERR_BAD_ADDRESS: 'The server address cannot be parsed or resolved.',
  UDPCHAT_ERR_ADDRESS_IN_USE: 'The address and port to listen on are already in use.',
  UDPCHAT_ERR_NOT_JOINED: 'A session method was called in a state that does not allow it.',
  UDPCHAT_ERR_SERVER_KEY_CHANGED: 'The server presented another key than the one remembered for it (known_servers), or than the fingerprint the user gave (`join --server-key`): the join was refused; --accept-new-key overrides the remembered one, nothing overrides a given fingerprint.',
  UDPCHAT_ERR_STORE_LOCKED: 'Another running server uses the same store directory.',
  UDPCHAT_ERR_STORE_DAMAGED: 'A store file is damaged somewhere a crash cannot explain; the message names the file and byte offset.',
  UDPCHAT_ERR_STORE_UNAVAILABLE: 'The store directory cannot be created, read or written.',
};

const WIRE_BY_NUMBER = new Map<number, WireErrorCode>(
  Object.entries(WIRE_ERROR_CODES).map(([name, n]) => [n, name as WireErrorCode]),
);

/** The wire error code for a u16, or undefined if the number is not defined. */
export function wireErrorCodeOf(n: number): WireErrorCode | undefined {
  return WIRE_BY_NUMBER.get(n);
}
