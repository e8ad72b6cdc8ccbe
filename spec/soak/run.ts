/**
 * Soak: the simulated link (spec/support/sim-network.ts) over many seeds and harsher faults than
 * `npm test` runs — loss, duplication, reordering, outages and server restarts — checking the
 * TESTING.md invariants each time. `npm run soak -- [seeds] [firstSeed]`. Prints failing seeds.
 */
import { SimNetwork, type SimClient } from '../support/sim-network.js';

const seeds = Number(process.argv[2] ?? 200);
const first = Number(process.argv[3] ?? 1);

function check(clients: SimClient[], total: number): string | undefined {
  const ref = clients[0]?.lines ?? [];
  if (ref.length !== total) return `delivered ${ref.length} of ${total}`;
  if (new Set(ref).size !== ref.length) return 'duplicates';
  for (const c of clients) if (c.lines.join('\n') !== ref.join('\n')) return `${c.name} order differs`;
  return undefined;
}

function scenario(seed: number): string | undefined {
  const net = new SimNetwork(seed, { rate: 1000, burst: 1000 });
  const clients = ['ann', 'bob', 'cat', 'dan', 'eve'].map((n) => net.addClient(n));
  net.run(2_000);
  const r = (seed * 2654435761) % 1000;
  net.faults = { loss: 0.1 + (r % 25) / 100, duplicate: (r % 11) / 100, reorder: (r % 31) / 100, delayMin: 20, delayMax: 250, latency: 1 + (r % 5) };
  for (let i = 0; i < 100; i++) {
    for (const c of clients) c.core.say(`${c.name} #${i}`, net.now);
    net.run(5);
    if (i === 50 && seed % 3 === 0) {
      // A 3 s outage for one client mid-stream.
      (clients[1] as SimClient).cut = true;
      net.run(3_000);
      (clients[1] as SimClient).cut = false;
    }
    if (i === 70 && seed % 7 === 0) {
      // Past the idle timeout: evicted, then it rejoins and resumes on its own.
      (clients[2] as SimClient).cut = true;
      net.run(40_000);
      (clients[2] as SimClient).cut = false;
    }
  }
  net.runUntilDelivered(500, 300_000);
  return check(clients, 500);
}

const started = Date.now();
const failures: string[] = [];
for (let seed = first; seed < first + seeds; seed++) {
  const problem = scenario(seed);
  if (problem !== undefined) failures.push(`seed ${seed}: ${problem}`);
}
console.log(`soak: ${seeds} seeds from ${first}, 5 clients × 100 messages, 10–35% loss, dup, reorder, outages, evictions: ${failures.length} failed in ${Date.now() - started} ms`);
for (const f of failures) console.log(`  ${f}`);
process.exitCode = failures.length === 0 ? 0 : 1;
