/**
 * What both seal layers agree on (docs/protocol.md §5.8): the handshake pattern and prologue, the
 * payload of HANDSHAKE2, and the layer's own messages inside SESSION datagrams. Pure.
 *
 * - Message 1's payload is the client's JOIN, a whole v1 datagram.
 * - Message 2's payload is an admission — `0x01`, room key id u32, room key (32), the server's
 *   Ed25519 public key (32), then the WELCOME datagram — or a refusal: `0x00`, then the ERROR.
 * - A SESSION datagram whose plaintext starts with `0x00` (every v1 datagram starts with the magic
 *   `0x55`) is the layer's: `0x00 0x01`, key id u32, key (32) is a new room key (ROOM_KEY).
 */
import { envelopeHeader } from './envelope.js';
import type { IkPattern } from './handshake.js';
import { KEY_BYTES } from './primitives.js';

export const SEAL_PATTERN: IkPattern = 'IKpsk1';
/** `"udp-chat sealed v1"` ‖ the 9-byte envelope header of HANDSHAKE1. */
export const SEAL_PROLOGUE: Buffer = Buffer.concat([Buffer.from('udp-chat sealed v1', 'ascii'), envelopeHeader('toServer', 'handshake1', 0)]);

const ADMIT = 0x01;
const REFUSE = 0x00;
const ADMISSION_HEAD = 1 + 4 + 2 * KEY_BYTES;
const CONTROL = 0x00;
const ROOM_KEY = 0x01;
const ROOM_KEY_BYTES = 2 + 4 + KEY_BYTES;

/** The room keys a member gets on admission. */
export interface RoomKeyGrant {
  readonly keyId: number;
  readonly roomKey: Buffer;
  /** The server's Ed25519 public key (raw 32 bytes), which signs room datagrams. */
  readonly signingKey: Buffer;
}

export function encodeAdmission(grant: RoomKeyGrant, welcome: Uint8Array): Buffer {
  const head = Buffer.alloc(ADMISSION_HEAD);
  head[0] = ADMIT;
  head.writeUInt32BE(grant.keyId, 1);
  head.set(grant.roomKey, 5);
  head.set(grant.signingKey, 5 + KEY_BYTES);
  return Buffer.concat([head, welcome]);
}

export function encodeRefusalPayload(error: Uint8Array): Buffer {
  return Buffer.concat([Uint8Array.of(REFUSE), error]);
}

/** Message 2's payload read back, or undefined if it is neither form (never throws). */
export function decodeHandshake2Payload(payload: Buffer): { inner: Buffer; grant?: RoomKeyGrant } | undefined {
  if (payload[0] === REFUSE) return { inner: payload.subarray(1) };
  if (payload[0] !== ADMIT || payload.length <= ADMISSION_HEAD) return undefined;
  return {
    inner: payload.subarray(ADMISSION_HEAD),
    grant: {
      keyId: payload.readUInt32BE(1),
      roomKey: Buffer.from(payload.subarray(5, 5 + KEY_BYTES)),
      signingKey: Buffer.from(payload.subarray(5 + KEY_BYTES, ADMISSION_HEAD)),
    },
  };
}

/** True if a SESSION plaintext is the layer's own message rather than a v1 datagram. */
export function isControl(plaintext: Uint8Array): boolean {
  return plaintext[0] === CONTROL;
}

export function encodeRoomKey(keyId: number, roomKey: Uint8Array): Buffer {
  const out = Buffer.alloc(ROOM_KEY_BYTES);
  out[0] = CONTROL;
  out[1] = ROOM_KEY;
  out.writeUInt32BE(keyId, 2);
  out.set(roomKey, 6);
  return out;
}

/** A ROOM_KEY control message read back, or undefined. */
export function decodeRoomKey(plaintext: Buffer): { keyId: number; roomKey: Buffer } | undefined {
  if (plaintext.length !== ROOM_KEY_BYTES || plaintext[0] !== CONTROL || plaintext[1] !== ROOM_KEY) return undefined;
  return { keyId: plaintext.readUInt32BE(2), roomKey: Buffer.from(plaintext.subarray(6)) };
}
