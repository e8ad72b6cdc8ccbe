/**
 * The discovery side of `udp-chat serve` (docs/protocol.md §5.7): its flag, its name, the mDNS
 * announcement, and the join commands it prints (copy-paste correct: IPv6 in brackets, `npx`
 * when udp-chat is not installed on the PATH).
 */
import type { Argv } from 'yargs';
import { Announcer } from '../discovery/announcer.js';
import { lanAddresses } from '../discovery/interfaces.js';
import { defaultServerName, serverNameProblem } from '../discovery/server-name.js';
import { DEFAULT_PORT } from '../protocol/constants.js';
import type { ChatServer } from '../server/chat-server.js';
import { formatAddress } from '../server/peer-address.js';

export interface AnnounceArgs {
  announce: boolean;
  name: string | undefined;
  host: string;
}

/** Adds `--announce` / `--no-announce` (`--name` comes with the store options). */
export function announceOptions<T>(y: Argv<T>): Argv<T> {
  return y.option('announce', {
    type: 'boolean',
    default: true,
    describe: 'Let clients on the local network find this server by mDNS and DISCOVER broadcasts (--no-announce: only by address)',
  }) as unknown as Argv<T>;
}

/** Usage check of `--name` as a server name: one DNS label, nothing a terminal would act on. */
export function checkServerName(name: string | undefined): void {
  const problem = name === undefined ? undefined : serverNameProblem(name);
  if (problem !== undefined) throw new Error(`--name: ${problem}`);
}

/** The name the server answers DISCOVER with and announces: `--name`, else the host name. */
export function serverName(args: Pick<AnnounceArgs, 'name'>): string {
  return args.name ?? defaultServerName();
}

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.') || host === 'localhost';
}

/**
 * mDNS for a server others can reach (not one bound to loopback); a failure is a log line, never
 * a stop. The instance name is logged once announced (it may get a " (2)" if taken on the network).
 */
export function startAnnouncing(args: AnnounceArgs, port: number, server: ChatServer, log: (line: string) => void): Announcer | undefined {
  if (!args.announce || isLoopback(args.host)) return undefined;
  return new Announcer({
    name: serverName(args),
    port,
    host: args.host,
    users: () => server.core.sessions.size,
    passphrase: server.seal?.passphrase === true,
    log,
    onAnnounced: (instance) => log(`announced on the local network as ${JSON.stringify(instance)} (mDNS _udp-chat._udp; DISCOVER answered)`),
  });
}

/**
 * Commands to paste: from this machine, and from every LAN address when listening on all of them.
 * `--server` is always given (so the line works even where discovery cannot), IPv6 in brackets.
 */
export function joinHints(host: string, port: number, command: string, announced: boolean, addresses = lanAddresses()): string[] {
  const wildcard = host === '0.0.0.0' || host === '::';
  const serverArg = (a: string): string => formatAddress({ address: a, port });
  const local = wildcard ? (host === '::' ? '::1' : '127.0.0.1') : host;
  const hints = [`  join from this machine: ${command} join --nick NAME --server ${serverArg(local)}`];
  if (wildcard) {
    for (const a of addresses) {
      if (host === '0.0.0.0' && a.includes(':')) continue;
      hints.push(`  join from the network:  ${command} join --nick NAME --server ${serverArg(a)}`);
    }
  } else if (!isLoopback(host)) {
    hints.length = 0;
    hints.push(`  join: ${command} join --nick NAME --server ${serverArg(host)}`);
  }
  if (announced && !isLoopback(host) && port === DEFAULT_PORT) hints.push(`  on the local network also just: ${command} join --nick NAME   (finds this server by itself)`);
  return hints;
}
