/**
 * The pre-shared key of the sealed handshake (docs/sealed-design.md): 32 zero bytes for a server
 * without a passphrase, else scrypt of the passphrase with a salt bound to the server's static
 * public key, so one guess costs one scrypt per server (no table computed once for every server).
 */
import { scrypt } from 'node:crypto';
import { KEY_BYTES, sha256 } from './primitives.js';

/** The psk of a server without a passphrase: Noise's psk token then adds nothing secret. */
export const NO_PASSPHRASE_PSK: Buffer = Buffer.alloc(KEY_BYTES);

/**
 * scrypt cost: N = 2¹⁶, r = 8, p = 1 uses 64 MiB of memory and, measured on a heavily loaded
 * 2-core machine, 1.6 s (docs/sealed-design.md §9; `npm run bench:seal`). Paid once per server
 * start, once per client and server key (the client keeps the result), and once per offline guess.
 */
export const PSK_SCRYPT: ScryptCost = { N: 2 ** 16, r: 8, p: 1, maxmem: 128 * 1024 * 1024 };

/** scrypt parameters (node:crypto's names). */
export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly maxmem: number;
}

const SALT_LABEL = Buffer.from('udp-chat psk v1\0', 'ascii');

/** The scrypt salt: SHA-256("udp-chat psk v1\0" ‖ server static public key). */
export function pskSalt(serverStaticPublicKey: Uint8Array): Buffer {
  if (serverStaticPublicKey.length !== KEY_BYTES) throw new RangeError(`a server key is ${KEY_BYTES} bytes`);
  return sha256(SALT_LABEL, serverStaticPublicKey);
}

/**
 * The psk for a passphrase (NFC, UTF-8) and a server. Rejects with a RangeError for an empty
 * passphrase or a key that is not 32 bytes (our own misuse: the CLI checks the passphrase).
 * `cost` is for tests; both sides must use PSK_SCRYPT.
 */
export async function derivePsk(passphrase: string, serverStaticPublicKey: Uint8Array, cost: ScryptCost = PSK_SCRYPT): Promise<Buffer> {
  if (passphrase.length === 0) throw new RangeError('the passphrase is empty');
  const salt = pskSalt(serverStaticPublicKey);
  const secret = Buffer.from(passphrase.normalize('NFC'), 'utf8');
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_BYTES, cost, (error, key) => (error === null ? resolve(key) : reject(error)));
  });
}
