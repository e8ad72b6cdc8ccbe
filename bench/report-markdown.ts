/** docs/performance.md from a bench run (bench/report.ts computes the rows and targets). */
import { median } from './histogram.js';
import { cell, cells, COLUMNS, comparisonRows, fmt, mdTable, n0, n2, NAMES, pct, stat, stormOnline, targetLines, type Results, type Row, type Stat } from './report.js';
import type { BlockResult } from './blocks.js';
import type { RestartResult, ScriptResult, TableRow } from './scripts.js';
import type { WitnessResult } from './witness.js';

function conditions(res: Results): string[] {
  const c = res.conditions;
  const top = c.topOthers.map((p) => `${p.name} ${pct(p.share)}`).join(', ');
  const noisy = c.otherCores > 0.2 || (c.loadStart[0] ?? 0) > res.machine.cores;
  return [
    `Load average (1/5/15 min) at the start ${c.loadStart.map((x) => x.toFixed(2)).join(' / ')}, at the end ${c.loadEnd.map((x) => x.toFixed(2)).join(' / ')}; other processes used ${c.otherCores.toFixed(2)} cores (median over the steps)${top !== '' ? `; the busiest of them over the run (share of one core): ${top}` : ''}.`,
    noisy ? '**The machine was busy with other work during this run: the figures are lower bounds and noisy.**' : 'The machine was otherwise quiet.',
  ];
}

/** How long the 100 msg/s step lasted, and the idle window before it (runs from before these were recorded say less). */
function fixedStep(res: Results): string {
  if (res.cpuSeconds === undefined) return '';
  return `The 100 msg/s step lasts ${res.cpuSeconds} s for udp-chat in memory and the two relays (where CPU per delivery is compared: a few thousand deliveries a second, so a long window), after a warm-up of ${res.cpuWarmSeconds ?? res.warmSeconds ?? 3} s for each of the three, ${res.fixedSeconds} s otherwise; there the server's CPU is also measured for ${res.idleSeconds} s after it with the room joined and nobody saying anything ("idle": what the second after the traffic costs, not part of CPU per delivery: for udp-chat the protocol's tail SYNCs to every member and a PONG to each member's PING, and V8's memory reducer, which runs full garbage collections once a process goes quiet after a busy spell — at K = 10 most of it: two mark-compacts shrinking the heap from 26 to 12 MB, seen with --trace-gc).`;
}

function witnessSection(res: Results): string[] {
  const plain = res.witnesses.filter((w) => w.kind === 'plain');
  const stopped = res.witnesses.filter((w) => w.kind === 'stopped');
  if (plain.length === 0 && stopped.length === 0) return [];
  const keys = [...new Set(plain.map((w) => w.peers * 1e6 + w.rate))].sort((a, b) => a - b);
  const groups = keys.map((key) => plain.filter((w) => w.peers * 1e6 + w.rate === key));
  const rows = groups.map((g) => {
    const ok = g.filter((w) => w.error === undefined);
    const over = (f: (w: WitnessResult) => number | undefined): Stat => stat(ok.map(f));
    const failed = ok.length < g.length ? ` (${g.length - ok.length} failed: ${g.find((w) => w.error !== undefined)!.error})` : '';
    return [
      String(g[0]!.peers),
      n0(g[0]!.rate),
      String(g.length),
      ok.length === 0 ? g[0]!.error! : `${fmt(over((w) => w.latency?.p50Ms), n2)} / ${fmt(over((w) => w.latency?.p99Ms), n2)} / ${fmt(over((w) => w.latency?.maxMs), n2)}${failed}`,
      ok.length === 0 ? '-' : `${n0(ok.reduce((a, w) => a + w.delivered, 0))} of ${n0(ok.reduce((a, w) => a + w.expected, 0))}`,
      ok.length === 0 ? '-' : `${pct(over((w) => w.clientCpuShare).med)} / ${pct(over((w) => w.benchCpuShare).med)}`,
    ];
  });
  const named = (gs: WitnessResult[][]): string => gs.map((g) => `K=${g[0]!.peers} at ${n0(g[0]!.rate)} msg/s`).join(', ');
  const [multi, single] = [groups.filter((g) => g.length > 1), groups.filter((g) => g.length === 1)];
  const runs = multi.length === 0
    ? 'One run each.'
    : `${named(multi)}: ${[...new Set([Math.min(...multi.map((g) => g.length)), Math.max(...multi.map((g) => g.length))])].join('–')} runs each, alternated with the full-screen client's runs, nothing else running (median [min–max]; "lines seen" adds up the runs)${single.length > 0 ? `; ${named(single)}: one run each (time: the target is at 100 msg/s)` : ''}.`;
  const out = [
    '## Real clients',
    '',
    `K real \`udp-chat join --plain\` processes against one in-memory server (limits lifted); the bench writes each message to a client's stdin at the given total rate and reads every client's stdout; latency is from that write to the line on every other client's stdout, after a warm-up that is not measured (3 s at up to 100 msg/s, until every client has shown it: the in-process peers are warmed up too). Real clients seal their sessions (the CLI always does: each opens and verifies every room datagram), so the target compares them with the sealed row's in-process peers, at the same K and rate. ${runs}`,
    '',
    mdTable(['K', 'msg/s', 'runs', 'p50 / p99 / max ms', 'lines seen', 'CPU: one client (median) / the bench'], rows),
    '',
  ];
  for (const w of stopped) {
    out.push(`A real \`join --plain\` client stopped (SIGSTOP) for ${w.seconds - 5} s and continued while ${w.peers - 1} simulated peers send ${n0(w.rate)} msg/s to a durable server: ${w.error ?? `it showed ${n0(w.delivered)} of ${n0(w.expected)} messages (${w.detail}); its notices: ${w.notices.map((n) => `"${n}"`).join(', ') || 'none'}`}.`, '');
  }
  if (stopped.length > 0) out.push('One run each: a run lasts the stop, the load around it and the catch-up (about 30 s for the 9 s stop, 100 s for the 60 s one), three runs of each would not fit in the full bench\'s time.', '');
  return out;
}

function tuiSection(res: Results): string[] {
  const runs = res.scripts?.tui ?? [];
  if (runs.length === 0) return [];
  const ok = runs.filter((t) => t.result !== undefined).length;
  const failed = ok < runs.length ? `; ${runs.length - ok} failed: ${runs.find((t) => t.result === undefined)!.error}` : '';
  const how = ok > 1 ? `${ok} runs, alternated with the real clients' at 100 msg/s, nothing else running: median [min–max]` : 'one run';
  return ['## Full-screen client', '', `The real \`udp-chat join\` in a tmux pane (100×30) while senders in another process say the given messages/s in total (\`${runs[0]!.command}\`, bench/tui-load.ts; ${how}${failed}; its own in-memory server).`, '', runsTable(runs), ''];
}

function durableSection(res: Results, rows: readonly Row[]): string[] {
  const d = rows.filter((r) => r.target === 'durable');
  const load = res.scripts?.durableLoad;
  const restart = res.scripts?.restart;
  if (d.length === 0 && load === undefined && restart === undefined) return [];
  const out = ['## Durable server', '', 'The same server with its room log on disk (group commit: one write and one fdatasync per batch; a message is acknowledged and fanned out only once it is on disk), beside the in-memory one.', ''];
  for (const r of d) {
    const u = rows.find((x) => x.target === 'udpchat' && x.peers === r.peers);
    out.push(`- K=${r.peers}: max ${fmt(r.maxRate)} msg/s (in memory ${u === undefined ? '-' : fmt(u.maxRate)}); at 100 msg/s p50 / p99 ${fmt(r.p50At100, n2)} / ${fmt(r.p99At100, n2)} ms (in memory ${u === undefined ? '-' : `${fmt(u.p50At100, n2)} / ${fmt(u.p99At100, n2)}`}), CPU ${fmt(r.cpuAt100, n2)} µs per delivery (in memory ${u === undefined ? '-' : fmt(u.cpuAt100, n2)}).`);
  }
  if (load !== undefined) {
    const lines = load.result ?? [];
    const text = lines
      .filter((l) => l.durable)
      .map((l) => {
        const mem = lines.find((m) => !m.durable && m.rate === l.rate);
        return `at ${n0(l.rate)} msg/s ${n0(l.flushesPerSec ?? NaN)} flushes/s (group commits: one O_DSYNC write each on Linux; ${n2(l.recordsPerFlush ?? NaN)} records each), ${n0(l.bytesPerMessage ?? NaN)} bytes written per message, p50 / p99 ${n2(l.p50Ms)} / ${n2(l.p99Ms)} ms from say() to the sender's own copy (in memory ${mem === undefined ? '-' : `${n2(mem.p50Ms)} / ${n2(mem.p99Ms)}`} ms)`;
      });
    out.push(`- Writes (\`${load.command}\`: 50 real clients in one process, one run): ${load.error ?? `${text.join('; ')}.`}`);
  }
  const ok = (restart ?? []).flatMap((r) => (r.result === undefined ? [] : [r.result]));
  if (restart !== undefined && restart.length > 0) {
    const over = (f: (r: RestartResult) => number): string => fmt(stat(ok.map(f)));
    const runs = ok.length > 1 ? `${ok.length} runs, median [min–max]` : '';
    out.push(`- Restart (\`${restart[0]!.command}\`${runs === '' ? '' : `; ${runs}`}): ${ok.length === 0 ? (restart[0]!.error ?? '-') : `${n0(ok[0]!.messages)} messages on disk (${over((r) => r.storeBytesPerMessage)} bytes each): store opened and every record checked in ${over((r) => r.openMs)} ms, server core ready ${over((r) => r.coreMs)} ms later: ${over((r) => r.totalMs)} ms in all.`}`);
  }
  out.push('');
  return out;
}

/** The sealed row, and how its load generator differs from a room of real clients. */
function sealedBullet(res: Results): string {
  const fixed = res.blocks.filter((b) => b.target === 'sealed' && b.fixed !== undefined).map((b) => b.fixed!.extra);
  const sum = (k: string): number => fixed.reduce((a, e) => a + (e[k] ?? 0), 0);
  const counts = fixed.length === 0 ? '' : ` (at the 100 msg/s steps: ${n0(sum('verifies'))} verifications, ${n0(sum('verifiesShared'))} answers shared)`;
  return (
    '- **udp-chat (sealed, in memory, limits lifted)**: the same server sealed-only, as installed (every other udp-chat row admits the load generator\'s cleartext peers with `--allow-cleartext`), at K = 50. Each simulated peer runs the client seal layer (lib/client/seal-layer.ts) around its client core, as a real client: the IKpsk1 handshake, every datagram it sends sealed and every one it receives opened on its session, every room datagram opened with the room key and its replay window checked. One difference, so that the row measures the server and not the load generator: ' +
    `a room datagram's Ed25519 signature covers the same bytes for every member, so the peers of one load generator process share its verification (bench/shared-verify.ts: the first peer to receive it verifies it, the others reuse the answer${counts}); a real client verifies only its own copy, on its own machine. What a client pays per datagram, verification included, is under "Sealed sessions" below.`
  );
}

/** What the peers of a storm's runs counted (notices, losses, rejoins, refusals), summed; "-" for nothing. */
function seen(g: readonly BlockResult[]): string {
  const sum: Record<string, number> = {};
  for (const b of g) for (const [k, n] of Object.entries(b.join?.errors ?? {})) sum[k] = (sum[k] ?? 0) + n;
  const notCaughtUp = g.filter((b) => b.join !== undefined && !b.join.consistent).length;
  const parts = Object.entries(sum).map(([k, n]) => `${k} ${n0(n)}`);
  if (notCaughtUp > 0) parts.push(`${notCaughtUp} run(s) not caught up within the timeout`);
  return parts.join(', ') || '-';
}

/**
 * A script's table as Markdown (numbers formatted), or why it is missing; several runs of it (the
 * same rows in the same order) as one table, each number the median [min–max] over the runs.
 */
function runsTable(runs: readonly ScriptResult<TableRow[]>[]): string {
  const tables = runs.flatMap((t) => (t.result === undefined ? [] : [t.result]));
  if (tables.length === 0) return `Not measured: ${runs[0]?.error ?? 'no output'}.`;
  const cols = Object.keys(tables[0]![0] ?? {});
  const num = (x: number): string => (Number.isInteger(x) || x >= 1000 ? n0(x) : n2(x));
  return mdTable(cols, tables[0]!.map((first, i) => cols.map((c) => {
    const vs = tables.map((t) => t[i]?.[c]);
    return vs.every((v) => typeof v === 'number') ? fmt(stat(vs as number[]), num) : String(first[c]);
  })));
}

/** Issue 10: the sealed row beside cleartext, the join storms, and what sealing costs per datagram. */
function sealedSection(res: Results): string[] {
  const s = res.rows.find((r) => r.target === 'sealed');
  const u = s === undefined ? undefined : res.rows.find((r) => r.target === 'udpchat' && r.peers === s.peers);
  const seal = res.scripts?.seal;
  const storms = res.storms.filter((b) => b.target === 'sealed' || b.target === 'udpchat');
  if (s === undefined && seal === undefined && storms.length === 0) return [];
  const out = ['## Sealed sessions (issue 10)', ''];
  if (s !== undefined && u !== undefined) {
    const line = (r: Row, name: string): string[] => [name, fmt(r.maxRate), `${fmt(r.p50At100, n2)} / ${fmt(r.p99At100, n2)}`, fmt(r.cpuAt100, n2), fmt(r.cpuAtMax, n2), fmt(r.entriesPerData, (x) => x.toFixed(1)), `${pct(r.serverShareAtMax.med)} / ${n2(r.loadgenCoresAtMax.med)} cores`];
    out.push(`The sealed server beside the cleartext one at K = ${s.peers}, same run (from the results table; the sealed peers share signature checks within a process, see "What is measured"):`, '');
    out.push(mdTable([`K=${s.peers}`, 'max msg/s', 'p50 / p99 ms at 100 msg/s', 'server CPU µs/delivery at 100 msg/s', 'at max', 'msgs per datagram at max', 'CPU at max: server / load gens'], [line(u, 'cleartext (`--allow-cleartext`, peers cleartext)'), line(s, 'sealed (as installed, peers sealing)')]), '');
  }
  if (storms.some((b) => b.target === 'sealed')) {
    const [so, uo] = [stormOnline(storms, 'sealed'), stormOnline(storms, 'udpchat')];
    out.push(`Join storm (the table above): 1000 peers all online in ${fmt(so)} ms sealed (HELLO, COOKIE, HANDSHAKE1 carrying the JOIN, HANDSHAKE2 carrying the WELCOME) against ${fmt(uo)} ms in cleartext (JOIN, COOKIE, JOIN, WELCOME): ${n2(so.med / uo.med)}×.`, '');
  }
  if (seal !== undefined) {
    out.push(`What sealing costs per datagram on this machine (\`${seal.command}\`, as \`npm run bench:seal\`, run during this bench; medians of 7 rounds, in one process, on 1,200-byte datagrams — the largest; most are smaller):`, '', runsTable([seal]), '');
    const us = (operation: RegExp): number => cell(seal.result, 'operation', operation, /^µs$/) ?? NaN;
    const [sendUs, roomUs, openUs] = [us(/^session seal/), us(/^room open/), us(/^session open/)];
    const perPeer = stat(res.blocks.filter((b) => b.target === 'sealed' && b.fixed !== undefined).map((b) => b.fixed!.serverDatagramsPerSec / b.fixed!.receivers));
    const load = perPeer.n > 0 ? ` At K = ${s?.peers ?? 50} and 100 msg/s a member receives ${n0(perPeer.med)} datagrams/s (the sealed row's 100 msg/s step): at most ≈ ${pct((perPeer.med * roomUs) / 1e6)} of a core for opening them, all counted as room datagrams.` : '';
    out.push(`A client pays ${n2(sendUs)} µs per datagram it sends (session seal) and, per datagram it receives, ${n2(roomUs)} µs for a room datagram (open + Ed25519 verify: every DATA and SYNC) or ${n2(openUs)} µs for one sent to it alone (session open).${load}`, '');
  }
  return out;
}

/** A section for a script run as a phase, when it ran: its title, what it did (`about` gets its command) and its table. */
function scriptSection(t: ScriptResult<TableRow[]> | undefined, title: string, about: (command: string) => string): string[] {
  return t === undefined ? [] : [`## ${title}`, '', about(t.command), '', runsTable([t]), ''];
}

/** Issue 10's flood rows (bench/flood.ts), when it ran. */
function floodSection(res: Results): string[] {
  return scriptSection(res.scripts?.flood, 'Floods (issue 10)', (command) =>
    `\`${command}\`: a server with stock flags, in memory, first admitting cleartext clients (\`--allow-cleartext\`; floods of garbage — half of it with the udp-chat header, failing the CRC — and of well-formed JOINs, half with a zero cookie, half with a made-up one), then sealed-only as installed (a flood of HELLOs and of HANDSHAKE1s with made-up cookies). The flood comes from two flood-gen.ts processes sending from 256 loopback addresses in 16 /24s (standing in for spoofed sources) on the same two cores as the server, so "sent /s" is what they reached, beside what was asked. Two members (the project's client, in the bench's process; sealing against the sealed server): one says 10 messages/s during the flood and for 3 s after it, the other measures send-to-delivery latency; "none" is the baseline without a flood. One run each: a row takes about 10 s, and three runs of every row would not fit in the full bench's time.`,
  );
}

/** The server core alone with rooms (bench/rooms-core.ts), when it ran. */
function roomsSection(res: Results): string[] {
  return scriptSection(res.scripts?.rooms, 'Rooms (server core alone)', (command) =>
    `\`${command}\` (the server core in one process, no sockets, limits lifted; one run): CPU per delivered entry. #lobby with and without the rooms capability is one DATA to every member either way; a room's datagrams are queued once per member (so a sealing layer can seal each on the member's own session), which the 20-room row pays per delivery; a private message is a command (name lookup, the conversation's stream) delivered to two people.`,
  );
}

export function markdown(res: Results): string {
  const iperf = median(res.iperf.map((i) => i.receivedPerSec));
  const m = res.machine;
  const lifted = res.rows.filter((r) => r.target !== 'stock');
  const stock = res.rows.filter((r) => r.target === 'stock');
  const out: string[] = [
    '# Performance',
    '',
    `Generated by \`${res.command}\` (${res.mode} mode) on ${res.started.slice(0, 10)} in ${(res.finishedMs / 60_000).toFixed(1)} min (budget ${(res.budgetMs / 60_000).toFixed(0)} min); raw numbers in \`bench/results/\`. Every figure is the median over runs with [min–max]; the systems are measured alternately (A B C A B C); every verdict is computed from the medians. The ranges are of the runs of one invocation, minutes apart: two invocations half an hour apart can differ by more, and a verdict near its line can flip between them.`,
    '',
    `Machine: ${m.cores} cores (${m.cpu}), Linux ${m.kernel}, Node ${m.node}, ${m.iperf3}.`,
    '',
    ...conditions(res),
    '',
    '## What is measured',
    '',
    `K peers in one room, each with its own socket, in ${res.loadgens} load generator process(es) separate from the server (bench/loadgen.ts); for every system the peers come from the same loopback addresses, 30 an address and eight addresses a /24 (127.0.1.1–8, 127.0.2.1–8, …), as the people of a big room come from several machines and networks (a default udp-chat server admits 32 sessions an address, and new sessions from one /24 at a burst of 256, then 128 a minute). Before the fixed 100 msg/s step every system gets the same warm-up (${res.warmSeconds ?? 3} s at min(1,000, 20,000 / K) msg/s, ${res.cpuWarmSeconds ?? res.warmSeconds ?? 3} s for udp-chat in memory and the two relays; stock: at most 8 msg/s per user), not measured: what is measured is a server that has been running (a long-lived server's steady state), not V8 compiling its code; a freshly started server costs more per delivery for its first few thousand messages. ${fixedStep(res)} Every peer decodes every datagram it receives with the project's codec and parses every message, for every system; udp-chat peers run the project's client core (lib/client/client-core.ts), so they acknowledge, reorder and repair as a real client does. Each message carries its send time, sender and number; a delivery is a message arriving at a peer other than its sender (the sender's own copy is counted for no system). A rate is sustained when, after a ${res.stepSeconds} s step and a drain of up to ${res.drainMs / 1000} s, fewer than ${100 * res.criteria.maxLoss}% of the expected deliveries are missing, nothing is duplicated, out of order or (udp-chat) skipped, every message was acknowledged (udp-chat), p99 latency is at most ${res.criteria.maxP99Ms} ms, latency does not grow during the step (no queue building up: p50 of the last quarter ≤ that of the first + max(${res.criteria.growthSlackMs} ms, ${100 * res.criteria.growthSlackShare}% of the step)), the last message was acknowledged and delivered within ${Math.round(100 / res.criteria.minThroughputShare)}% of the step's length, and the load generators kept pace. The search multiplies the rate until a step fails, then bisects; "max" is the highest sustained rate.`,
    '',
    `- **udp-chat (in memory, limits lifted)**: \`node dist/bin/udp-chat.js serve --no-persist ${res.liftedFlags}\`: the per-user limits out of the way, so the server's capacity is measured; the room log in memory, so the ratios to the relays are what reliability and safety cost.`,
    '- **udp-chat (durable, limits lifted)**: the same with the room log on disk (persistence on, as installed), in a fresh temporary directory per server: what durability costs on top (issue 9), at K = 50.',
    sealedBullet(res),
    '- **udp-chat (stock flags)**: `serve --host 127.0.0.1 --port 0 --quiet --no-announce` (less logging, no mDNS announcements; every limit as installed: 10 messages/s per user, burst 20, 256 users, 32 per address, room log on disk): what a default install sustains.',
    '- **naive relay**: bench/relay.ts: records addresses on JOIN, forwards every datagram to every peer, one message per datagram.',
    '- **batching relay**: bench/relay.ts --batch: the same, but a turn\'s worth of messages packed per datagram and flushed once per event-loop turn, as udp-chat does; no order, acks, repair, history, limits or checksums. udp-chat against it is the cost of reliability and safety.',
    `- **iperf3**: one UDP stream on loopback at unlimited bitrate with ${res.datagramBytes}-byte datagrams: the datagram ceiling of this machine, to read beside the datagrams/s each server sent.`,
    '',
    '## Results (limits lifted)',
    '',
    mdTable(COLUMNS, lifted.map(cells)),
    '',
    `CPU µs/delivery is the server's CPU (the scheduler's nanosecond counters of its threads, /proc/<pid>/task/*/schedstat) over the step divided by deliveries; at 100 msg/s, the median of the step's 1 s slices of the server's CPU per second over the deliveries per second (a one-off, such as a garbage collection of what the warm-up left, moves one slice, not the figure). "server datagrams/s" is what the peers received per second; iperf3 on this machine: ${Number.isFinite(iperf) ? `${n0(iperf)} datagrams/s` : 'not measured'} (median of ${res.iperf.length}; ${res.iperfNote || `loss ${n2(median(res.iperf.map((i) => i.lossPercent)))}%`}). "gave out at" says which side saturated at the first failing step of each run: the server (its CPU or a limit), a load generator, or the machine (all cores busy, and who used most of them); where the server did not give out, its max is a lower bound of its ceiling (the targets say so).`,
    '',
  ];
  if (stock.length > 0) out.push('## Results (default install, stock flags)', '', mdTable(COLUMNS, stock.map(cells)), '', 'With stock flags each user may send 10 messages/s after a burst of 20: faster senders are slowed, so the max here is a few times K msg/s by design (about K × 20 over a 2 s step, which the burst covers).', '');
  out.push('## Comparison (ratios of medians, udp-chat in memory with limits lifted ÷ relay)', '', mdTable(['K', 'relay', 'CPU/delivery at 100 msg/s', 'p99 at 100 msg/s', 'max msg/s', 'CPU/delivery at max'], comparisonRows(res.rows)), '');
  out.push('## Targets', '', 'The targets of issues 13, 10 and 9, computed from this run\'s medians (or from its one run where it says so).', '', mdTable(['target', 'measured (median [min–max])', 'verdict'], targetLines(res.rows, res.witnesses, res.scripts, res.storms).map((l) => [l.target, l.measured, l.verdict])), '');
  out.push(...witnessSection(res));
  out.push(...tuiSection(res));
  out.push(...durableSection(res, res.rows));
  const storms = [...res.storms, ...res.blocks.filter((b) => b.peers >= 1000)];
  if (storms.length > 0) {
    const groups = [...new Set(storms.map((b) => `${b.target}|${b.peers}`))].map((key) => storms.filter((b) => `${b.target}|${b.peers}` === key));
    out.push('## Join storm', '', `K peers send their first JOIN spread evenly over one second (limits lifted: a stock server takes at most 256 users). "all online": the last WELCOME (relays: own JOIN echoed); "caught up": every peer saw every join. "What the peers saw": what their client cores reported (\`lost\`: a notice that entries could not be recovered; \`rejoined\`: a session joined again).`, '');
    out.push(
      mdTable(
        ['system', 'K', 'runs', 'all online ms', 'all caught up ms', 'peers failed (most in a run)', 'server CPU ms for the joins', 'what the peers saw (all runs)'],
        groups.map((g) => [
          NAMES[g[0]!.target],
          String(g[0]!.peers),
          String(g.length),
          fmt(stat(g.map((b) => b.join?.allOnlineMs))),
          fmt(stat(g.map((b) => b.join?.caughtUpMs ?? undefined))),
          String(Math.max(0, ...g.map((b) => b.join?.failed ?? b.peers))),
          fmt(stat(g.map((b) => b.joinServerCpuMs))),
          seen(g),
        ]),
      ),
      '',
    );
  }
  out.push(...sealedSection(res));
  out.push(...floodSection(res));
  out.push(...roomsSection(res));
  out.push('## Notes', '');
  for (const r of res.rows) for (const n of r.notes) out.push(`- ${NAMES[r.target]}, K=${r.peers}: ${n}`);
  for (const n of res.notes) out.push(`- ${n}`);
  out.push('');
  return out.join('\n');
}
