/** DNS-SD records of docs/protocol.md §5.7, through dns-packet's real encoding, and hostile input. */
import { expect } from 'chai';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import { answersFor, claimsName, SERVICE_TYPE, SERVICES_META, type ServiceInfo, serviceRecords, sightings } from '../../lib/discovery/mdns-records.js';

const INFO: ServiceInfo = { instance: 'lab-pc', port: 7777, host: 'udp-chat-abc123.local', addresses: ['10.0.0.5', 'fd00::5'], users: 4, passphrase: false };

/** A response as it travels: encoded by dns-packet and decoded again. */
function wire(answers: Answer[]): Packet {
  return dnsPacket.decode(dnsPacket.encode({ type: 'response', answers }));
}

describe('mDNS records', () => {
  it('announces PTR, service-type PTR, SRV, TXT (v, users, pass) and A/AAAA', () => {
    const records = serviceRecords(INFO);
    expect(records.map((r) => `${r.type} ${r.name}`)).to.deep.equal([
      `PTR ${SERVICE_TYPE}`,
      `PTR ${SERVICES_META}`,
      'SRV lab-pc._udp-chat._udp.local',
      'TXT lab-pc._udp-chat._udp.local',
      'A udp-chat-abc123.local',
      'AAAA udp-chat-abc123.local',
    ]);
    const txt = records.find((r) => r.type === 'TXT');
    expect(txt?.type === 'TXT' && (txt.data as Buffer[]).map(String)).to.deep.equal(['v=1', 'users=4', 'pass=0']);
  });

  it('reads its own announcement back after a trip through the DNS encoding', () => {
    expect(sightings(wire(serviceRecords(INFO)))).to.deep.equal([{ instance: 'lab-pc', port: 7777, ttl: 4500, protocol: 1, users: 4, passphrase: false }]);
  });

  it('says goodbye with every record at TTL 0', () => {
    expect(serviceRecords(INFO, 0).every((r) => r.type !== 'OPT' && r.ttl === 0)).to.equal(true);
    expect(sightings(wire(serviceRecords(INFO, 0)))[0]?.ttl).to.equal(0);
  });

  it('answers a PTR query with the SRV, TXT and addresses too, and ignores questions about others', () => {
    const types = answersFor([{ name: SERVICE_TYPE, type: 'PTR' }], INFO).map((r) => r.type);
    expect(types).to.have.members(['PTR', 'SRV', 'TXT', 'A', 'AAAA']);
    expect(answersFor([{ name: '_http._tcp.local', type: 'PTR' }], INFO)).to.deep.equal([]);
    expect(answersFor([{ name: 'LAB-PC._udp-chat._udp.local', type: 'SRV' }], INFO).map((r) => r.type)).to.deep.equal(['SRV']);
    expect(answersFor([{ name: SERVICES_META, type: 'PTR' }], INFO).map((r) => r.type)).to.deep.equal(['PTR']);
  });

  it('sees a name claimed by another responder (probing)', () => {
    expect(claimsName(wire(serviceRecords(INFO)), 'lab-pc')).to.equal(true);
    expect(claimsName(wire(serviceRecords(INFO)), 'lab-pc (2)')).to.equal(false);
  });

  it('skips services without SRV, with port 0, of another type, and bounds or drops garbage TXT', () => {
    const fq = (l: string): string => `${l}._udp-chat._udp.local`;
    const packet = wire([
      { name: SERVICE_TYPE, type: 'PTR', data: fq('nosrv') },
      { name: SERVICE_TYPE, type: 'PTR', data: fq('zero') },
      { name: fq('zero'), type: 'SRV', data: { port: 0, target: 'x.local' } },
      { name: SERVICE_TYPE, type: 'PTR', data: 'other._http._tcp.local' },
      { name: 'other._http._tcp.local', type: 'SRV', data: { port: 80, target: 'x.local' } },
      { name: SERVICE_TYPE, type: 'PTR', data: fq('junk') },
      { name: fq('junk'), type: 'SRV', data: { port: 9, target: 'x.local' } },
      { name: fq('junk'), type: 'TXT', data: [Buffer.from([0xff, 0x3d]), Buffer.from('users=-1'), Buffer.from('v=1e3'), Buffer.from('pass=2'), Buffer.alloc(255, 0x41)] },
    ]);
    expect(sightings(packet)).to.deep.equal([{ instance: 'junk', port: 9, ttl: 0, protocol: undefined, users: undefined, passphrase: undefined }]);
  });

  it('never throws on records of the wrong shape', () => {
    const odd = { answers: [{ name: SERVICE_TYPE, type: 'PTR', data: 42 }, { name: 7, type: 'SRV', data: null }], additionals: undefined } as unknown as Packet;
    expect(sightings(odd)).to.deep.equal([]);
    expect(claimsName(odd, 'x')).to.equal(false);
  });
});
