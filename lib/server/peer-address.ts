/** A UDP peer address as dgram reports it. */
export interface PeerAddress {
  readonly address: string;
  readonly port: number;
}

/** Map key of an address: the session registry is keyed by source address (docs/protocol.md §5.2). */
export function addressKey(a: PeerAddress): string {
  return `${a.address}|${a.port}`;
}

/** "host:port", with IPv6 hosts in brackets. */
export function formatAddress(a: PeerAddress): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
