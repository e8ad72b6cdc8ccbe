/**
 * `/whois NICK` (docs/protocol.md §5.3 "Ownership", capability bit 2): one WHOIS per request (the
 * user asks again if it is lost), and each OWNER that answers this session becomes a `whois`
 * event with the owner key's fingerprint. Sans-I/O; client-core.ts routes to it.
 */
import type { OwnerMessage, WhoisMessage } from '../protocol/messages.js';
import { nickLength } from '../protocol/wire.js';
import { fingerprint } from '../protocol/seal/fingerprint.js';
import { CAP_IDENTITY } from '../protocol/whois-codec.js';
import { LocalError } from '../protocol/local-error.js';
import type { ClientEvent } from './session-types.js';

export class WhoisLookup {
  /** The server enabled capability bit 2 for this session (WELCOME caps). */
  enabled = false;

  /** Notes what the WELCOME enabled. */
  welcome(caps: number): void {
    this.enabled = (caps & CAP_IDENTITY) !== 0;
  }

  /** The WHOIS to send for `nick`, or a notice saying why there is none. */
  request(token: Buffer | undefined, nick: string): WhoisMessage | Extract<ClientEvent, { type: 'notice' }> {
    if (token === undefined) return { type: 'notice', text: '/whois: not joined yet' };
    if (!this.enabled) return { type: 'notice', text: '/whois: this server does not tell who owns a nick (an older server)' };
    try {
      nickLength(nick);
    } catch (err) {
      if (err instanceof LocalError) return { type: 'notice', text: '/whois: a nick is 1–64 bytes of UTF-8' };
      throw err;
    }
    return { type: 'whois', token, nick };
  }

  /** The event for an OWNER answer. */
  answer(m: OwnerMessage): Extract<ClientEvent, { type: 'whois' }> {
    return { type: 'whois', nick: m.nick, bound: m.bound, online: m.online, lastUsed: m.lastUsed, fingerprint: m.bound ? fingerprint(m.key) : undefined };
  }
}

/** One line for a `whois` event, shared by both front ends (`nick` already escaped by the caller). */
export function describeOwner(e: Extract<ClientEvent, { type: 'whois' }>, nick: string): string {
  const here = e.online ? 'online' : 'not online';
  if (e.fingerprint === undefined) return `${nick}: not bound to a user key (${here})`;
  return `${nick}: owned by ${e.fingerprint} (${here}; last used ${utcMinute(e.lastUsed)} UTC)`;
}

/** `YYYY-MM-DD hh:mm` of a time in ms since the epoch, in UTC, by arithmetic (no clock, no locale). */
export function utcMinute(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  // Howard Hinnant's civil_from_days.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const two = (n: number): string => String(n).padStart(2, '0');
  const inDay = minutes - days * 1440;
  return `${y}-${two(m)}-${two(d)} ${two(Math.floor(inDay / 60))}:${two(inDay % 60)}`;
}
