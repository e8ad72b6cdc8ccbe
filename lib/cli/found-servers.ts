/** How `discover` and `join` show servers found on the network (docs/protocol.md §5.7). */
import stringWidth from 'string-width';
import { escapeForTerminal } from '../client/display-text.js';
import { DEFAULT_PORT } from '../protocol/constants.js';
import type { FoundServer } from '../discovery/find-servers.js';

/** Longest name shown, in code points after escaping (names are claims of the network). */
const NAME_SHOWN = 48;

/** The address as `--server` takes it: IPv6 in brackets. */
export function serverArg(s: Pick<FoundServer, 'address' | 'port'>): string {
  return s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;
}

/** A name from the network, escaped for the terminal and cut to a bounded width. */
export function shownName(name: string): string {
  const escaped = [...escapeForTerminal(name)];
  return escaped.length > NAME_SHOWN ? `${escaped.slice(0, NAME_SHOWN - 1).join('')}…` : escaped.join('');
}

/** One line for a server: name, address:port, users online, protocol version. */
export function formatServer(s: FoundServer): string {
  return formatServers([s])[0] as string;
}

/**
 * One line per server as formatServer makes it, the names and addresses padded to line up in
 * columns. `asFlag`: the address first, as the `--server` option to copy, then the name.
 */
export function formatServers(servers: readonly FoundServer[], asFlag = false): string[] {
  const names = servers.map((s) => shownName(s.name));
  const addresses = servers.map(serverArg);
  const nameWidth = Math.max(0, ...names.map((n) => stringWidth(n)));
  const addressWidth = Math.max(0, ...addresses.map((a) => a.length));
  return servers.map((s, i) => {
    const name = `${names[i] as string}${' '.repeat(nameWidth - stringWidth(names[i] as string))}`;
    const address = (addresses[i] as string).padEnd(addressWidth);
    return asFlag ? `--server ${address}  ${name}  ${details(s)}` : `${name}  ${address}  ${details(s)}`;
  });
}

function details(s: FoundServer): string {
  const users = s.users === undefined ? 'users unknown' : `${s.users} user${s.users === 1 ? '' : 's'} online`;
  const protocol = s.protocol === undefined ? 'protocol unknown' : `protocol ${s.protocol}`;
  const pass = s.passphrase === true ? ', passphrase needed' : '';
  const via = s.via.map((v) => (v === 'mdns' ? 'mDNS' : 'broadcast')).join('+');
  return `${users}, ${protocol}${pass} (via ${via})`;
}

/** What to say when nothing answered: the usual causes and the way around them. */
export function noneFoundMessage(waitS: number, port = DEFAULT_PORT): string[] {
  return [
    `udp-chat: no server found on the local network in ${waitS} s.`,
    `  - Is a server running? Start one with: udp-chat serve`,
    `  - A firewall may block UDP port ${port} or mDNS (UDP 5353) on the server or on this machine.`,
    `  - A server on another subnet, or a network that blocks broadcast and multicast (many Wi-Fi and campus networks), cannot be found this way.`,
    `  - Give the address instead: udp-chat join --nick NAME --server HOST[:PORT]`,
  ];
}
