/**
 * The `sealed` row's load generator: its simulated peers share Ed25519 verification results.
 *
 * Every member of a room gets the same bytes for a room datagram (sealed once, signed once by the
 * server), and checking the signature is a pure function of those bytes and the server's key. A
 * real client verifies only its own copy, on its own machine; the bench's K peers share two load
 * generator processes, so K verifications of identical bytes (≈ 150–300 µs each) would make the
 * load generator, not the server, the thing measured. So within one process, `crypto.verify` of
 * an Ed25519 signature remembers its answer for (server key, signed bytes, signature): the first
 * peer to receive a datagram pays for the verification, the others look it up (a map lookup and a
 * byte comparison). Each peer still opens the AEAD with the room key, checks its replay window and
 * parses its own copy, as a real client does. Installed by bench/loadgen.ts --sealed only; the
 * counts go into each step's result (`verifies`, `verifiesShared`).
 */
import crypto, { type KeyObject } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

/** Verification results kept (a room datagram is verified by every peer within milliseconds). */
const KEPT = 4096;

export const verifyCounts = { verifies: 0, shared: 0 };

/** Installs the shared verification for this process (idempotent). */
export function shareVerifications(): void {
  const original = crypto.verify;
  if ((original as { shared?: true }).shared === true) return;
  const keyIds = new WeakMap<KeyObject, string>();
  const seen = new Map<string, { data: Buffer; ok: boolean }>();
  const keyId = (key: KeyObject): string => {
    let id = keyIds.get(key);
    if (id === undefined) {
      id = key.export({ format: 'der', type: 'spki' }).toString('latin1');
      keyIds.set(key, id);
    }
    return id;
  };
  const shared = (algorithm: unknown, data: unknown, key: unknown, signature: unknown, callback?: unknown): boolean => {
    const plain = algorithm == null && callback === undefined && key instanceof crypto.KeyObject && key.asymmetricKeyType === 'ed25519';
    if (!plain || !Buffer.isBuffer(data) || !Buffer.isBuffer(signature)) return (original as (...a: unknown[]) => boolean)(algorithm, data, key, signature, callback);
    const id = `${keyId(key)}|${signature.toString('latin1')}`;
    const hit = seen.get(id);
    if (hit !== undefined && hit.data.equals(data)) {
      verifyCounts.shared++;
      return hit.ok;
    }
    verifyCounts.verifies++;
    const ok = original(null, data, key, signature);
    seen.set(id, { data: Buffer.from(data), ok });
    if (seen.size > KEPT) seen.delete(seen.keys().next().value as string);
    return ok;
  };
  (shared as { shared?: true }).shared = true;
  (crypto as { verify: unknown }).verify = shared;
  // ES module imports of node:crypto (lib/protocol/seal/room-channel.ts) see the new function too.
  syncBuiltinESMExports();
}
