/**
 * A seeded user-space UDP proxy that injects faults (loss, duplication, delay/reordering,
 * corruption, blackhole periods) between clients and a server on loopback. The kernel here has
 * no netem, so this is how the real processes are tested under bad networks (TESTING.md layer 3).
 *
 * Every client source address gets its own upstream socket, so the server sees one distinct
 * address per client. Faults are decided per direction by a PRNG seeded from `seed`, drawing the
 * same number of values for every datagram, so the decisions for the n-th datagram of a direction
 * depend only on the seed and n: counts are reproducible for a seed and a datagram sequence.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

/** 'up' is client → server, 'down' is server → client. */
export type ProxyDirection = 'up' | 'down';

export interface ReorderFault {
  /** Probability that a datagram is held back (0..1); held datagrams are overtaken by later ones. */
  probability: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export interface BlackholeFault {
  /** Everything is dropped for `onMs`, then forwarded for `offMs`, repeating from when it is set. */
  onMs: number;
  offMs: number;
}

export interface FaultSettings {
  /** Probability that a datagram is dropped (0..1). */
  loss: number;
  /** Probability that a datagram is sent twice (0..1). */
  duplicate: number;
  reorder: ReorderFault;
  /** Probability that one byte of a datagram is replaced by a different value (0..1). */
  corrupt: number;
  blackhole: BlackholeFault | null;
  /** Which directions the faults apply to; the others forward untouched. */
  directions: 'both' | ProxyDirection;
}

/**
 * What happened to one datagram; `copies` is 2 when duplicated, `delayMs` > 0 when held back,
 * `sent` the bytes forwarded (differing from the original when `corrupted`).
 */
export type DatagramFate =
  | { action: 'dropped' | 'blackholed' }
  | { action: 'forwarded'; copies: 1 | 2; delayMs: number; corrupted: boolean; sent: Buffer };

export interface FaultProxyOptions extends Partial<FaultSettings> {
  target: { host: string; port: number };
  seed: number;
  /** Scripted corruption: a returned buffer is forwarded instead of the datagram (counted in `corrupted`). */
  tamper?: (direction: ProxyDirection, data: Buffer) => Buffer | undefined;
  /** Scripted loss: datagrams for which this returns true are dropped (counted in `dropped`). */
  dropIf?: (direction: ProxyDirection, data: Buffer) => boolean;
  /** Called for every datagram received, with its client (`host:port`) and fate: a trace for debugging. */
  onDatagram?: (direction: ProxyDirection, client: string, data: Buffer, fate: DatagramFate) => void;
}

export interface DirectionStats {
  /** Datagrams that arrived at the proxy in this direction. */
  received: number;
  /** Datagrams handed to the kernel (duplicates included). */
  forwarded: number;
  /** Dropped on purpose by `loss`. */
  dropped: number;
  /** Dropped on purpose because a blackhole window was open. */
  blackholed: number;
  duplicated: number;
  delayed: number;
  corrupted: number;
  /** Sends that failed: accidental drops, never injected ones. */
  sendErrors: number;
}

export interface FaultProxyStats {
  up: DirectionStats;
  down: DirectionStats;
  /** Distinct client source addresses seen. */
  clients: number;
  /** Socket 'error' events (not send callbacks), also accidental. */
  socketErrors: number;
}

export interface FaultProxy {
  /** The port on 127.0.0.1 that clients send to. */
  readonly port: number;
  /** Live counters. */
  readonly stats: FaultProxyStats;
  /** Changes some fault settings from now on (a new blackhole restarts its cycle). */
  setFaults(partial: Partial<FaultSettings>): void;
  /** Cancels held datagrams and closes every socket. Idempotent. */
  close(): Promise<void>;
}

/** mulberry32: a small, well-known 32-bit PRNG (Tommy Ettinger). Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NO_FAULTS: FaultSettings = {
  loss: 0,
  duplicate: 0,
  reorder: { probability: 0, minDelayMs: 0, maxDelayMs: 0 },
  corrupt: 0,
  blackhole: null,
  directions: 'both',
};

// Large buffers so an event-loop stall does not turn into silent kernel drops.
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

function emptyStats(): DirectionStats {
  return { received: 0, forwarded: 0, dropped: 0, blackholed: 0, duplicated: 0, delayed: 0, corrupted: 0, sendErrors: 0 };
}

function createUdpSocket(): dgram.Socket {
  return dgram.createSocket({ type: 'udp4', recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
}

function bindLoopback(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: '127.0.0.1', port: 0 }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

/**
 * Starts a proxy on 127.0.0.1 (random port) in front of `target`. Rejects if it cannot bind.
 * Fault options left out default to none.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { target, seed, onDatagram, dropIf, tamper, ...faults } = options;
  let settings: FaultSettings = { ...NO_FAULTS, ...faults };
  let blackholeEpoch = Date.now();
  // Independent streams per direction, so traffic in one does not shift decisions in the other.
  const random: Record<ProxyDirection, () => number> = {
    up: mulberry32(seed ^ 0x75700000),
    down: mulberry32(seed ^ 0x646f776e),
  };
  const stats: FaultProxyStats = { up: emptyStats(), down: emptyStats(), clients: 0, socketErrors: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const upstreams = new Map<string, dgram.Socket>();
  let closed = false;

  const front = createUdpSocket();
  front.on('error', () => stats.socketErrors++);
  await bindLoopback(front);
  const port = (front.address() as AddressInfo).port;

  function applies(direction: ProxyDirection): boolean {
    return settings.directions === 'both' || settings.directions === direction;
  }

  function inBlackhole(): boolean {
    const hole = settings.blackhole;
    if (hole === null || hole.onMs <= 0) return false;
    const period = hole.onMs + Math.max(0, hole.offMs);
    return (Date.now() - blackholeEpoch) % period < hole.onMs;
  }

  function send(direction: ProxyDirection, socket: dgram.Socket, data: Buffer, toPort: number, toHost: string): void {
    if (closed) return;
    stats[direction].forwarded++;
    socket.send(data, toPort, toHost, (err) => {
      if (err) stats[direction].sendErrors++;
    });
  }

  function later(delayMs: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, delayMs);
    timers.add(timer);
  }

  /** Decides the fate of one datagram; always draws seven values to keep the stream aligned. */
  function relay(direction: ProxyDirection, client: string, msg: Buffer, socket: dgram.Socket, toPort: number, toHost: string): void {
    const fate = decide(direction, msg, socket, toPort, toHost);
    onDatagram?.(direction, client, msg, fate);
  }

  function decide(direction: ProxyDirection, msg: Buffer, socket: dgram.Socket, toPort: number, toHost: string): DatagramFate {
    const s = stats[direction];
    s.received++;
    const rnd = random[direction];
    const [rLoss, rDup, rDelay, rDelayAmount, rCorrupt, rPos, rXor] = [rnd(), rnd(), rnd(), rnd(), rnd(), rnd(), rnd()];
    if (!applies(direction)) {
      send(direction, socket, msg, toPort, toHost);
      return { action: 'forwarded', copies: 1, delayMs: 0, corrupted: false, sent: msg };
    }
    if (inBlackhole()) {
      s.blackholed++;
      return { action: 'blackholed' };
    }
    if (rLoss < settings.loss || dropIf?.(direction, msg) === true) {
      s.dropped++;
      return { action: 'dropped' };
    }
    let data = msg;
    if (rCorrupt < settings.corrupt && data.length > 0) {
      data = Buffer.from(msg);
      const at = Math.floor(rPos * data.length);
      data[at] = (data[at] ?? 0) ^ (1 + Math.floor(rXor * 255)); // xor with 1..255: always changes
      s.corrupted++;
    }
    const tampered = tamper?.(direction, data);
    if (tampered !== undefined) {
      if (data === msg) s.corrupted++;
      data = tampered;
    }
    const copies: 1 | 2 = rDup < settings.duplicate ? 2 : 1;
    if (copies === 2) s.duplicated++;
    const { probability, minDelayMs, maxDelayMs } = settings.reorder;
    if (rDelay < probability) {
      s.delayed++;
      const delayMs = minDelayMs + rDelayAmount * Math.max(0, maxDelayMs - minDelayMs);
      later(delayMs, () => {
        for (let i = 0; i < copies; i++) send(direction, socket, data, toPort, toHost);
      });
      return { action: 'forwarded', copies, delayMs, corrupted: data !== msg, sent: data };
    }
    for (let i = 0; i < copies; i++) send(direction, socket, data, toPort, toHost);
    return { action: 'forwarded', copies, delayMs: 0, corrupted: data !== msg, sent: data };
  }

  function upstreamFor(clientHost: string, clientPort: number): dgram.Socket {
    const key = `${clientHost}:${clientPort}`;
    let socket = upstreams.get(key);
    if (socket) return socket;
    socket = createUdpSocket();
    socket.on('error', () => stats.socketErrors++);
    socket.on('message', (reply) => {
      if (!closed) relay('down', key, reply, front, clientPort, clientHost);
    });
    // Sends issued while binding are queued by node:dgram.
    socket.bind({ address: '127.0.0.1', port: 0 });
    upstreams.set(key, socket);
    stats.clients++;
    return socket;
  }

  front.on('message', (msg, rinfo) => {
    if (closed || rinfo.port === 0) return;
    relay('up', `${rinfo.address}:${rinfo.port}`, msg, upstreamFor(rinfo.address, rinfo.port), target.port, target.host);
  });

  return {
    port,
    stats,
    setFaults(partial: Partial<FaultSettings>): void {
      settings = { ...settings, ...partial };
      if (partial.blackhole !== undefined) blackholeEpoch = Date.now();
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const sockets = [front, ...upstreams.values()];
      upstreams.clear();
      await Promise.all(sockets.map(closeSocket));
      // 'close' fires before libuv has released the handles; they are gone after the close phase.
      await new Promise((resolve) => setTimeout(resolve, 1));
    },
  };
}
