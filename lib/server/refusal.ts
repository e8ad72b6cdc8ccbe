/** How the rooms refuse a request (docs/protocol.md §6.3.1): ERROR(code, arg = cseq, detail). */
import type { WireErrorCode } from '../protocol/error-codes.js';

/** A refusal of an RSAY or CMD: ERROR(code, arg = cseq, detail). */
export interface Refusal {
  code: WireErrorCode;
  detail: string;
}

/** Refuses empty text (TEXT_INVALID) and text over `max` UTF-8 bytes (TEXT_TOO_LONG). */
export function checkText(text: string, max: number): Refusal | undefined {
  if (text.length === 0) return { code: 'UDPCHAT_ERR_TEXT_INVALID', detail: 'empty message' };
  const n = Buffer.byteLength(text, 'utf8');
  if (n > max) return { code: 'UDPCHAT_ERR_TEXT_TOO_LONG', detail: `text is ${n} bytes, at most ${max}` };
  return undefined;
}
