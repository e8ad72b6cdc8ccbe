import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { mulberry32, startFaultProxy, type FaultProxy, type FaultProxyOptions } from './fault-proxy.js';

/** A UDP peer on 127.0.0.1 that records what it receives and can echo it back. */
interface Peer {
  socket: dgram.Socket;
  port: number;
  received: Array<{ data: Buffer; from: string }>;
}

const SEED = Number(process.env['UDPCHAT_SEED'] ?? 0x5eed);

describe('startFaultProxy', function () {
  const proxies: FaultProxy[] = [];
  const peers: Peer[] = [];

  afterEach(async function () {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    await Promise.all(peers.splice(0).map((p) => new Promise<void>((resolve) => p.socket.close(() => resolve()))));
  });

  async function peer(echo = false): Promise<Peer> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 22 });
    const p: Peer = { socket, port: 0, received: [] };
    socket.on('message', (data, rinfo) => {
      p.received.push({ data, from: `${rinfo.address}:${rinfo.port}` });
      if (echo) socket.send(data, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => socket.bind({ address: '127.0.0.1', port: 0 }, resolve));
    p.port = (socket.address() as AddressInfo).port;
    peers.push(p);
    return p;
  }

  async function proxy(options: Omit<FaultProxyOptions, 'seed'> & { seed?: number }): Promise<FaultProxy> {
    const p = await startFaultProxy({ seed: SEED, ...options });
    proxies.push(p);
    return p;
  }

  /** Sends numbered datagrams ("0", "1", …) paced so that no kernel buffer overflows. */
  async function sendNumbered(from: Peer, toPort: number, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await new Promise<void>((resolve, reject) =>
        from.socket.send(Buffer.from(String(i)), toPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      );
      if (i % 50 === 49) await sleep(1);
    }
  }

  /** Waits (bounded) until `cond` holds, then a little longer to catch late extras. */
  async function settle(cond: () => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond() && Date.now() < deadline) await sleep(10);
    await sleep(50);
  }

  const numbers = (p: Peer): number[] => p.received.map((r) => Number(r.data.toString()));

  it('forwards everything both ways without faults, with one upstream address per client', async function () {
    const server = await peer(true);
    const fp = await proxy({ target: { host: '127.0.0.1', port: server.port } });
    const [a, b] = [await peer(), await peer()];
    await sendNumbered(a, fp.port, 100);
    await sendNumbered(b, fp.port, 100);
    await settle(() => a.received.length === 100 && b.received.length === 100);

    expect(server.received).to.have.length(200);
    expect(new Set(server.received.map((r) => r.from)).size).to.equal(2);
    expect(numbers(a)).to.deep.equal([...Array(100).keys()]);
    expect(numbers(b)).to.deep.equal([...Array(100).keys()]);
    expect(fp.stats.clients).to.equal(2);
    expect(fp.stats.up).to.include({ received: 200, forwarded: 200, dropped: 0, sendErrors: 0 });
    expect(fp.stats.down).to.include({ received: 200, forwarded: 200, dropped: 0, sendErrors: 0 });
  });

  it('drops about 20% at loss 0.2, the same count for the same seed', async function () {
    const dropped: number[] = [];
    for (const seed of [SEED, SEED, SEED + 1]) {
      const server = await peer();
      const fp = await proxy({ target: { host: '127.0.0.1', port: server.port }, seed, loss: 0.2 });
      const client = await peer();
      await sendNumbered(client, fp.port, 1000);
      await settle(() => server.received.length === 1000 - fp.stats.up.dropped);
      expect(server.received.length).to.equal(1000 - fp.stats.up.dropped);
      expect(fp.stats.up.sendErrors).to.equal(0);
      dropped.push(fp.stats.up.dropped);
    }
    console.log(`      seed ${SEED}: dropped ${dropped.join(', ')} of 1000 (seeds ${SEED}, ${SEED}, ${SEED + 1})`);
    expect(dropped[0]).to.be.within(150, 250);
    expect(dropped[1]).to.equal(dropped[0]);
    expect(dropped[2]).to.be.within(150, 250);
  });

  it('draws its decisions from mulberry32', function () {
    // Outputs of the reference mulberry32 (bryc's JavaScript) for seed 1.
    const rnd = mulberry32(1);
    const first = [rnd(), rnd(), rnd()].map((x) => Math.floor(x * 2 ** 32));
    expect(first).to.deep.equal([2693262067, 11749833, 2265367787]);
  });

  it('duplicates datagrams at duplicate 0.3', async function () {
    const server = await peer();
    const fp = await proxy({ target: { host: '127.0.0.1', port: server.port }, duplicate: 0.3 });
    const client = await peer();
    await sendNumbered(client, fp.port, 500);
    await settle(() => server.received.length === 500 + fp.stats.up.duplicated);

    expect(fp.stats.up.duplicated).to.be.within(100, 200);
    expect(server.received.length).to.equal(500 + fp.stats.up.duplicated);
    const counts = new Map<number, number>();
    for (const n of numbers(server)) counts.set(n, (counts.get(n) ?? 0) + 1);
    expect(counts.size).to.equal(500);
    expect([...counts.values()].filter((c) => c === 2)).to.have.length(fp.stats.up.duplicated);
  });

  it('reorders datagrams by holding some back', async function () {
    const server = await peer();
    const fp = await proxy({
      target: { host: '127.0.0.1', port: server.port },
      reorder: { probability: 0.25, minDelayMs: 20, maxDelayMs: 60 },
    });
    const client = await peer();
    await sendNumbered(client, fp.port, 200);
    await settle(() => server.received.length === 200);

    const got = numbers(server);
    expect(got).to.have.length(200);
    expect([...got].sort((x, y) => x - y)).to.deep.equal([...Array(200).keys()]);
    expect(got).not.to.deep.equal([...Array(200).keys()]);
    expect(fp.stats.up.delayed).to.be.within(25, 75);
  });

  it('corrupts a datagram by changing exactly one byte', async function () {
    const server = await peer();
    const fp = await proxy({ target: { host: '127.0.0.1', port: server.port }, corrupt: 1 });
    const client = await peer();
    const original = Buffer.from('the quick brown fox jumps over the lazy dog');
    for (let i = 0; i < 20; i++) client.socket.send(original, fp.port, '127.0.0.1');
    await settle(() => server.received.length === 20);

    expect(server.received).to.have.length(20);
    expect(fp.stats.up.corrupted).to.equal(20);
    for (const { data } of server.received) {
      expect(data.length).to.equal(original.length);
      const differing = [...data].filter((byte, i) => byte !== original[i]);
      expect(differing).to.have.length(1);
    }
  });

  it('applies faults only in the chosen direction', async function () {
    const server = await peer(true);
    const fp = await proxy({ target: { host: '127.0.0.1', port: server.port }, loss: 1, directions: 'down' });
    const client = await peer();
    await sendNumbered(client, fp.port, 50);
    await settle(() => server.received.length === 50 && fp.stats.down.dropped === 50);

    expect(server.received).to.have.length(50);
    expect(client.received).to.have.length(0);
    expect(fp.stats.down.dropped).to.equal(50);
  });

  it('drops everything inside a blackhole window and forwards outside it', async function () {
    const server = await peer();
    const fp = await proxy({ target: { host: '127.0.0.1', port: server.port } });
    const client = await peer();
    fp.setFaults({ blackhole: { onMs: 300, offMs: 60_000 } });
    await sendNumbered(client, fp.port, 20);
    await sleep(100);
    expect(server.received).to.have.length(0);
    expect(fp.stats.up.blackholed).to.equal(20);

    await sleep(300);
    await sendNumbered(client, fp.port, 20);
    await settle(() => server.received.length === 20);
    expect(server.received).to.have.length(20);

    fp.setFaults({ blackhole: null });
    expect(fp.stats.up.blackholed).to.equal(20);
  });

  it('reports the fate of every datagram to onDatagram', async function () {
    const fates: string[] = [];
    const sentEqual: boolean[] = [];
    const server = await peer();
    const fp = await proxy({
      target: { host: '127.0.0.1', port: server.port },
      loss: 0.5,
      onDatagram: (direction, client, data, fate) => {
        fates.push(`${direction} ${client} ${data.toString()} ${fate.action}`);
        if (fate.action === 'forwarded') sentEqual.push(fate.sent.equals(data) && !fate.corrupted);
      },
    });
    const client = await peer();
    await sendNumbered(client, fp.port, 40);
    await settle(() => server.received.length === 40 - fp.stats.up.dropped);

    expect(fates).to.have.length(40);
    expect(sentEqual.every(Boolean)).to.equal(true);
    expect(fates.filter((f) => f.endsWith(' dropped'))).to.have.length(fp.stats.up.dropped);
    expect(fates[0]).to.match(new RegExp(`^up 127\\.0\\.0\\.1:${client.port} 0 (forwarded|dropped)$`));
  });

  it('drops the datagrams dropIf picks', async function () {
    const server = await peer();
    const fp = await proxy({
      target: { host: '127.0.0.1', port: server.port },
      dropIf: (direction, data) => direction === 'up' && Number(data.toString()) % 3 === 0,
    });
    const client = await peer();
    await sendNumbered(client, fp.port, 30);
    await settle(() => server.received.length === 20);

    expect(numbers(server)).to.deep.equal([...Array(30).keys()].filter((n) => n % 3 !== 0));
    expect(fp.stats.up.dropped).to.equal(10);
  });

  it('forwards what tamper returns instead of the datagram', async function () {
    const server = await peer();
    const fp = await proxy({
      target: { host: '127.0.0.1', port: server.port },
      tamper: (direction, data) => (data.toString() === '3' ? Buffer.from('three') : undefined),
    });
    const client = await peer();
    await sendNumbered(client, fp.port, 5);
    await settle(() => server.received.length === 5);

    expect(server.received.map((r) => r.data.toString())).to.deep.equal(['0', '1', '2', 'three', '4']);
    expect(fp.stats.up.corrupted).to.equal(1);
  });

  it('leaves no sockets or timers behind after close()', async function () {
    const count = (kind: string): number => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    const server = await peer();
    const client = await peer();
    const [udpBefore, timersBefore] = [count('UDPWrap'), count('Timeout')];

    const fp = await startFaultProxy({
      seed: SEED,
      target: { host: '127.0.0.1', port: server.port },
      reorder: { probability: 1, minDelayMs: 10_000, maxDelayMs: 10_000 },
    });
    await sendNumbered(client, fp.port, 10);
    await settle(() => fp.stats.up.delayed === 10, 1000);
    expect(fp.stats.up.delayed).to.equal(10);
    expect(count('UDPWrap')).to.equal(udpBefore + 2);
    expect(count('Timeout')).to.be.greaterThan(timersBefore);

    await fp.close();
    await fp.close(); // idempotent
    expect(count('UDPWrap')).to.equal(udpBefore);
    expect(count('Timeout')).to.equal(timersBefore);
    expect(server.received).to.have.length(0);
  });
});
