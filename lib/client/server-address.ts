/**
 * Parses the `--server` argument: "host", "host:port", "[v6]:port", "v6". Throws
 * LocalError UDPCHAT_ERR_BAD_ADDRESS with a one-line reason.
 */
import { DEFAULT_PORT } from '../protocol/constants.js';
import { LocalError } from '../protocol/local-error.js';

export interface ServerAddress {
  host: string;
  port: number;
}

export function parseServerAddress(input: string, defaultPort = DEFAULT_PORT): ServerAddress {
  const s = input.trim();
  const bad = (why: string): never => {
    throw new LocalError('UDPCHAT_ERR_BAD_ADDRESS', `bad server address "${input}": ${why}`);
  };
  if (s.length === 0) return bad('it is empty');
  let host = s;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
  if (bracketed) {
    host = bracketed[1] as string;
    portText = bracketed[2];
  } else if ((s.match(/:/g) ?? []).length === 1) {
    [host, portText] = s.split(':') as [string, string];
  }
  if (host.length === 0) return bad('the host is missing');
  if (/\s/.test(host)) return bad('the host contains spaces');
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return bad('the port must be a number from 1 to 65535');
    port = Number(portText);
  }
  if (port < 1 || port > 65535) return bad('the port must be a number from 1 to 65535');
  return { host, port };
}
