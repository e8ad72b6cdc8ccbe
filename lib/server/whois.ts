/**
 * WHOIS (docs/protocol.md §6.1.6, capability bit 2): who owns a nickname. The answer (OWNER) goes to
 * the asking session only and counts against its repair budget like a roster page.
 */
import type { OwnerMessage } from '../protocol/messages.js';
import { checkNick } from '../protocol/nick.js';
import { OWNER_KEY_BYTES } from '../protocol/whois-codec.js';
import type { NickOwners } from './nick-owners.js';
import type { SessionTable } from './session-table.js';

/** The OWNER answer for `nick` asked by the session with `token`. */
export function ownerOf(nicks: NickOwners, sessions: SessionTable, token: Buffer, nick: string): OwnerMessage {
  const checked = checkNick(nick);
  const unbound = { type: 'owner', token, bound: false, online: false, lastUsed: 0, key: Buffer.alloc(OWNER_KEY_BYTES), nick } as const;
  if (!checked.ok) return unbound;
  const binding = nicks.ownerOf(checked);
  const holder = sessions.byNickKeys(checked);
  const online = holder !== undefined;
  if (binding === undefined) return { ...unbound, online, nick: holder?.nick ?? checked.nick };
  return { type: 'owner', token, bound: true, online, lastUsed: binding.lastUsedMs, key: Buffer.from(binding.owner), nick: holder?.nick ?? binding.nick };
}
