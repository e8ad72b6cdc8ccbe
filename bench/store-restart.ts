/**
 * Restart time of a durable server: builds a store of N chat messages (default 100,000) in a temp
 * directory, then times what a start does with it — open and recover the store (every record
 * read and CRC-checked) and build the server core from it. Also prints the store's size per
 * message.
 *
 *   node --import=tsx bench/store-restart.ts [messages]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../lib/protocol/constants.js';
import { encodeKeptEntry } from '../lib/protocol/entry-codec.js';
import { ServerCore } from '../lib/server/server-core.js';
import { openStore } from '../lib/server/store/open-store.js';
import { cli, messageText } from './load-common.js';

const messages = Number(cli('node --import=tsx bench/store-restart.ts', {}, { positionals: '[messages]', maxPositionals: 1 }).positionals[0] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'udp-chat-restart-'));
const settings = { keep: Math.max(messages, 100_000), tailEntries: DEFAULTS.logEntries, random: randomBytes };
try {
  const first = await openStore(dir, settings);
  const clients = Array.from({ length: 50 }, () => randomBytes(16));
  const cseqs = new Array<number>(clients.length).fill(0);
  const t = Date.now();
  for (let seq = 1; seq <= messages; seq += 500) {
    for (let s = seq; s < Math.min(seq + 500, messages + 1); s++) {
      const k = s % clients.length;
      const text = messageText(t + s, k, cseqs[k] as number, 0, 48);
      const bytes = encodeKeptEntry({ kind: 'msg', seq: s, time: t + s, nick: `peer${k}`, target: 0, text });
      first.log.add([{ kind: 'entry', seq: s, bytes, sender: { clientId: clients[k] as Buffer, cseq: (cseqs[k] = (cseqs[k] as number) + 1) } }]);
    }
    await first.log.commit(t);
  }
  await first.close();
  const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

  const started = process.hrtime.bigint();
  const again = await openStore(dir, settings);
  const opened = process.hrtime.bigint();
  const core = new ServerCore({ random: randomBytes, now: Date.now(), persistent: true, restore: again.restore });
  const ready = process.hrtime.bigint();
  const ms = (a: bigint, b: bigint): string => (Number(b - a) / 1e6).toFixed(0);
  console.log(`${messages} messages (48-byte texts), store ${(bytes / 1e6).toFixed(1)} MB = ${(bytes / messages).toFixed(0)} bytes/message`);
  console.log(`restart: store opened and checked in ${ms(started, opened)} ms, core ready in ${ms(opened, ready)} ms, total ${ms(started, ready)} ms (seq ${core.log.lastSeq})`);
  await again.close();
} finally {
  if (process.env.KEEP_STORE === undefined) rmSync(dir, { recursive: true, force: true });
  else console.log(dir);
}
