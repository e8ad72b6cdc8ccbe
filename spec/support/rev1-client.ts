/**
 * A minimal client of the protocol as docs/protocol.md stood before rooms (revision 1, no
 * capabilities), written from that text alone and sharing no code with lib/: it joins (JOIN,
 * COOKIE, JOIN with the cookie, WELCOME), says (SAY, retransmitted until ACK), pings, and takes
 * DATA in seq order with NACKs for holes. Its decoder knows only the types and entry kinds of that
 * revision and, as that revision requires, refuses a whole datagram with anything else in it:
 * `undecodable` counts those, so a spec can show the server never sends it one.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

const V1_TYPES = new Set([0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89]);

function frame(type: number, body: Buffer): Buffer {
  const head = Buffer.concat([Buffer.from([0x55, 0x43, 0x01, type]), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(head));
  return Buffer.concat([head, crc]);
}

export interface Rev1Line {
  seq: number;
  kind: 'msg' | 'join' | 'leave';
  nick: string;
  text: string;
}

export class Rev1Client {
  readonly lines: Rev1Line[] = [];
  /** Datagrams this revision cannot decode (an unknown type or entry kind, bad checksum). */
  undecodable = 0;
  private readonly socket = dgram.createSocket('udp4');
  private readonly clientId = randomBytes(16);
  private token: Buffer | undefined;
  private nextSeq = 1;
  private readonly held = new Map<number, Rev1Line>();
  private highest = 0;
  private cseq = 0;
  private acked = 0;
  private readonly unacked = new Map<number, Buffer>();
  private timer: NodeJS.Timeout | undefined;
  private joined: (() => void) | undefined;

  constructor(
    private readonly nick: string,
    private readonly port: number,
  ) {
    this.socket.on('message', (m) => this.receive(m));
  }

  /** Joins and resolves once WELCOME came (bounded by `timeoutMs`). */
  async join(timeoutMs = 5_000): Promise<void> {
    await new Promise<void>((resolve) => this.socket.connect(this.port, '127.0.0.1', resolve));
    const done = new Promise<void>((resolve, reject) => {
      this.joined = resolve;
      setTimeout(() => reject(new Error(`${this.nick}: no WELCOME within ${timeoutMs} ms`)), timeoutMs).unref();
    });
    this.sendJoin(Buffer.alloc(16));
    this.timer = setInterval(() => this.tick(), 100);
    await done;
  }

  say(text: string): void {
    const t = Buffer.from(text, 'utf8');
    const body = Buffer.alloc(16 + 4 + 1 + 2);
    (this.token as Buffer).copy(body, 0);
    body.writeUInt32BE(++this.cseq, 16);
    body[20] = 0;
    body.writeUInt16BE(t.length, 21);
    const d = frame(0x02, Buffer.concat([body, t]));
    this.unacked.set(this.cseq, d);
    this.socket.send(d);
  }

  /** Messages delivered, as "nick: text". */
  messages(): string[] {
    return this.lines.filter((l) => l.kind === 'msg').map((l) => `${l.nick}: ${l.text}`);
  }

  get pending(): number {
    return this.unacked.size;
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.token !== undefined) this.socket.send(frame(0x06, this.token));
    this.socket.close();
  }

  private sendJoin(cookie: Buffer): void {
    const nick = Buffer.from(this.nick, 'utf8');
    const body = Buffer.alloc(16 + 16 + 8 + 4 + 2 + 1);
    cookie.copy(body, 0);
    this.clientId.copy(body, 16);
    body[46] = nick.length;
    this.socket.send(frame(0x01, Buffer.concat([body, nick])));
  }

  private tick(): void {
    if (this.token === undefined) return;
    for (const d of this.unacked.values()) this.socket.send(d);
    const ping = Buffer.alloc(24);
    this.token.copy(ping, 0);
    ping.writeUInt32BE(this.nextSeq - 1, 16);
    this.socket.send(frame(0x03, ping));
    if (this.highest >= this.nextSeq) {
      const nack = Buffer.alloc(24);
      this.token.copy(nack, 0);
      nack.writeUInt32BE(this.nextSeq, 16);
      nack.writeUInt32BE(this.highest, 20);
      this.socket.send(frame(0x04, nack));
    }
  }

  private receive(d: Buffer): void {
    const ok = d.length >= 8 && d[0] === 0x55 && d[1] === 0x43 && d[2] === 0x01 && crc32(d.subarray(0, d.length - 4)) === d.readUInt32BE(d.length - 4) && V1_TYPES.has(d[3] as number);
    if (!ok) {
      this.undecodable++;
      return;
    }
    const body = d.subarray(4, d.length - 4);
    switch (d[3]) {
      case 0x81: // COOKIE
        this.sendJoin(body.subarray(16, 32));
        return;
      case 0x82: // WELCOME
        this.token = Buffer.from(body.subarray(16, 32));
        this.nextSeq = body.readUInt32BE(40);
        this.highest = body.readUInt32BE(44);
        this.joined?.();
        return;
      case 0x83:
        return this.data(body);
      case 0x84: {
        const cseq = body.readUInt32BE(16);
        for (const c of [...this.unacked.keys()]) if (c <= cseq) this.unacked.delete(c);
        this.acked = Math.max(this.acked, cseq);
        return;
      }
      case 0x85:
      case 0x86:
        this.highest = Math.max(this.highest, body.readUInt32BE(0));
        return;
      default:
        return;
    }
  }

  /** DATA: kinds 1–3 only; anything else makes the whole datagram undecodable (as revision 1 says). */
  private data(body: Buffer): void {
    const first = body.readUInt32BE(0);
    const count = body[4] as number;
    const entries: Rev1Line[] = [];
    let at = 5;
    for (let i = 0; i < count; i++) {
      const kind = body[at] as number;
      if (kind < 1 || kind > 3) {
        this.undecodable++;
        return;
      }
      const n = body[at + 7] as number;
      const nick = body.subarray(at + 8, at + 8 + n).toString('utf8');
      at += 8 + n;
      if (kind === 1) {
        const t = body.readUInt16BE(at + 1);
        entries.push({ seq: first + i, kind: 'msg', nick, text: body.subarray(at + 3, at + 3 + t).toString('utf8') });
        at += 3 + t;
      } else if (kind === 2) {
        entries.push({ seq: first + i, kind: 'join', nick, text: '' });
      } else {
        if ((body[at] as number) > 3) {
          this.undecodable++;
          return;
        }
        entries.push({ seq: first + i, kind: 'leave', nick, text: '' });
        at += 1;
      }
    }
    for (const e of entries) {
      this.highest = Math.max(this.highest, e.seq);
      if (e.seq >= this.nextSeq) this.held.set(e.seq, e);
    }
    for (let e = this.held.get(this.nextSeq); e !== undefined; e = this.held.get(this.nextSeq)) {
      this.held.delete(this.nextSeq);
      this.lines.push(e);
      this.nextSeq++;
    }
  }
}
