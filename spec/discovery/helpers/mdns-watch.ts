/**
 * Prints, as JSON lines, every udp-chat service an mDNS response describes (with its TTL; 0 is a
 * goodbye) and the source it came from; run inside a namespace. Prints `ready` once listening.
 */
import makeMdns from 'multicast-dns';
import type { Packet } from 'dns-packet';
import { sightings } from '../../../lib/discovery/mdns-records.js';

const mdns = makeMdns({ reuseAddr: true, loopback: true });
mdns.on('warning', () => undefined);
mdns.on('error', (err: Error) => {
  console.error(`watch: ${err.message}`);
  process.exit(1);
});
mdns.on('response', (packet: Packet, rinfo) => {
  for (const s of sightings(packet)) console.log(JSON.stringify({ ...s, from: rinfo.address }));
});
mdns.on('ready', () => console.log('ready'));
process.on('SIGTERM', () => {
  mdns.destroy();
  process.exit(0);
});
