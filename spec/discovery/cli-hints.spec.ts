/** What `serve` prints and the small pieces of the discovery CLI: names, hints, addresses. */
import { expect } from 'chai';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatServer, formatServers, noneFoundMessage, serverArg, shownName } from '../../lib/cli/found-servers.js';
import { commandPrefix } from '../../lib/cli/invocation.js';
import { joinHints } from '../../lib/cli/serve-discovery.js';
import { parseServerAddress } from '../../lib/client/server-address.js';
import { broadcastOf } from '../../lib/discovery/interfaces.js';
import { defaultServerName, serverNameProblem, truncateUtf8 } from '../../lib/discovery/server-name.js';

describe('serve: join hints', () => {
  it('puts IPv6 addresses in brackets, so that join accepts what serve prints', () => {
    const hints = joinHints('::1', 32790, 'udp-chat', true, []);
    expect(hints).to.deep.equal(['  join from this machine: udp-chat join --nick NAME --server [::1]:32790']);
    const arg = /--server (\S+)/.exec(hints[0] as string)?.[1] as string;
    expect(parseServerAddress(arg)).to.deep.equal({ host: '::1', port: 32790 });
  });

  it('lists every LAN address when listening on all of them (IPv6 too when bound to ::)', () => {
    const lan = ['192.168.1.5', '10.0.0.2', 'fd00::5'];
    expect(joinHints('0.0.0.0', 7777, 'npx udp-chat', true, lan)).to.deep.equal([
      '  join from this machine: npx udp-chat join --nick NAME --server 127.0.0.1:7777',
      '  join from the network:  npx udp-chat join --nick NAME --server 192.168.1.5:7777',
      '  join from the network:  npx udp-chat join --nick NAME --server 10.0.0.2:7777',
      '  on the local network also just: npx udp-chat join --nick NAME   (finds this server by itself)',
    ]);
    expect(joinHints('::', 7000, 'udp-chat', true, lan)).to.deep.equal([
      '  join from this machine: udp-chat join --nick NAME --server [::1]:7000',
      '  join from the network:  udp-chat join --nick NAME --server 192.168.1.5:7000',
      '  join from the network:  udp-chat join --nick NAME --server 10.0.0.2:7000',
      '  join from the network:  udp-chat join --nick NAME --server [fd00::5]:7000',
    ]);
  });

  it('does not promise discovery with --no-announce or on loopback', () => {
    expect(joinHints('0.0.0.0', 7777, 'udp-chat', false, []).join('\n')).not.to.include('finds this server');
    expect(joinHints('127.0.0.1', 7777, 'udp-chat', true, [])).to.deep.equal(['  join from this machine: udp-chat join --nick NAME --server 127.0.0.1:7777']);
  });
});

describe('serve: udp-chat or npx udp-chat', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'udpchat-inv-'));
    mkdirSync(join(dir, 'pkg'));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(dir, 'pkg', 'udp-chat.js'), '');
    symlinkSync(join(dir, 'pkg', 'udp-chat.js'), join(dir, 'bin', 'udp-chat'));
    symlinkSync(join(dir, 'pkg', 'udp-chat.js'), join(dir, 'node_modules', '.bin', 'udp-chat'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('says udp-chat when that name on PATH is this program (a global install)', () => {
    expect(commandPrefix({ PATH: `/nonexistent:${join(dir, 'bin')}` }, join(dir, 'pkg', 'udp-chat.js'))).to.equal('udp-chat');
  });

  it('says npx udp-chat under npx, from node_modules/.bin, or when not on PATH', () => {
    const script = join(dir, 'pkg', 'udp-chat.js');
    expect(commandPrefix({ PATH: join(dir, 'bin'), npm_command: 'exec' }, script)).to.equal('npx udp-chat');
    expect(commandPrefix({ PATH: join(dir, 'node_modules', '.bin') }, script)).to.equal('npx udp-chat');
    expect(commandPrefix({ PATH: '/usr/bin' }, script)).to.equal('npx udp-chat');
    expect(commandPrefix({ PATH: join(dir, 'bin') }, undefined)).to.equal('npx udp-chat');
  });
});

describe('server names', () => {
  it('defaults to the first label of the host name', () => {
    expect(defaultServerName('lab-pc.example.org')).to.equal('lab-pc');
    expect(defaultServerName('')).to.equal('udp-chat');
    expect(Buffer.byteLength(defaultServerName('я'.repeat(40)))).to.equal(62);
  });

  it('refuses names that cannot be one DNS label or would disturb a terminal', () => {
    expect(serverNameProblem('Lab PC ☕')).to.equal(undefined);
    for (const bad of ['', 'a.b', 'x'.repeat(64), 'a\x1bb', 'a\u202eb', ' lead', 'a\uD800']) expect(serverNameProblem(bad), JSON.stringify(bad)).to.be.a('string');
  });

  it('cuts UTF-8 at code point boundaries', () => {
    expect(truncateUtf8('aé😀', 4)).to.equal('aé');
    expect(truncateUtf8('aé😀', 7)).to.equal('aé😀');
  });
});

describe('showing servers found', () => {
  it('escapes and bounds names from the network, and brackets IPv6', () => {
    const line = formatServer({ name: `\x1b[31m${'n'.repeat(100)}`, address: 'fd00::1', port: 7777, users: 1, protocol: 1, via: ['mdns'] });
    expect(line).not.to.include('\x1b');
    expect(line).to.match(/^\\x1b\[31mn+… {2}\[fd00::1\]:7777 {2}1 user online, protocol 1 \(via mDNS\)$/);
    expect([...shownName('n'.repeat(100))]).to.have.length(48);
    expect(serverArg({ address: '10.0.0.1', port: 7 })).to.equal('10.0.0.1:7');
  });

  it('lines several servers up in columns, wide characters counted as the terminal shows them', () => {
    const found = [
      { name: 'lab', address: '10.0.0.1', port: 7777, users: 0, protocol: 1, via: ['mdns' as const] },
      { name: 'Кухня 🍳', address: '10.0.0.12', port: 47620, users: 2, protocol: 1, via: ['mdns' as const, 'broadcast' as const] },
    ];
    expect(formatServers(found)).to.deep.equal([
      'lab       10.0.0.1:7777    0 users online, protocol 1 (via mDNS)',
      'Кухня 🍳  10.0.0.12:47620  2 users online, protocol 1 (via mDNS+broadcast)',
    ]);
    expect(formatServers(found, true)).to.deep.equal([
      '--server 10.0.0.1:7777    lab       0 users online, protocol 1 (via mDNS)',
      '--server 10.0.0.12:47620  Кухня 🍳  2 users online, protocol 1 (via mDNS+broadcast)',
    ]);
    expect(formatServer(found[1]!)).to.equal('Кухня 🍳  10.0.0.12:47620  2 users online, protocol 1 (via mDNS+broadcast)');
  });

  it('says what to do when nothing is found', () => {
    const text = noneFoundMessage(2).join('\n');
    expect(text).to.match(/firewall/).and.match(/another subnet/).and.match(/--server/);
  });

  it('computes subnet broadcast addresses', () => {
    expect(broadcastOf('192.168.1.7', '255.255.255.0')).to.equal('192.168.1.255');
    expect(broadcastOf('10.1.2.3', '255.255.0.0')).to.equal('10.1.255.255');
    expect(broadcastOf('10.1.2.3', '255.255.255.255')).to.equal(undefined);
    expect(broadcastOf('x', '255.0.0.0')).to.equal(undefined);
  });
});
