export * from './constants.js';
export * from './error-codes.js';
export * from './protocol-error.js';
export * from './local-error.js';
export * from './messages.js';
export { encode, decode, encodeData, peekType, isClientMessage, OPCODES, DATA_OVERHEAD } from './codec.js';
export { encodeEntry, decodeEntry } from './entry-codec.js';
