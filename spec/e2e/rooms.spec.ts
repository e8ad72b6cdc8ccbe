/**
 * Rooms and private messages with real processes (docs/protocol.md §6.3): a server, three
 * line-mode clients in two rooms writing to each other privately, all through the seeded fault
 * proxy; and a client of the revision before rooms (spec/support/rev1-client.ts) chatting in
 * #lobby while the others rename, set topics and use /me there. Seeds are printed; replay a
 * failure with UDPCHAT_SEED=<seed>.
 */
import { expect } from 'chai';
import { Rev1Client } from '../support/rev1-client.js';
import { type CliProcess, cleanupAll, seedFromEnv, startClient, startProxy, startServer } from '../support/processes.js';

/** `<stream> <nick>: <text>` of every live message line a line-mode client printed, in order. */
function streamMessages(proc: CliProcess): string[] {
  const out: string[] = [];
  for (const line of proc.stdout) {
    const m = /^\d\d:\d\d:\d\d (#\S+|\*[^*\s]+\*) ([^\s:*][^\s:]*): (.*)$/.exec(line);
    if (m !== null) out.push(`${m[1]} ${m[2]}: ${m[3]}`);
  }
  return out;
}

function inStream(lines: string[], stream: string): string[] {
  return lines.filter((l) => l.startsWith(`${stream} `)).map((l) => l.slice(stream.length + 1));
}

describe('rooms and private messages end to end (real processes)', function () {
  this.timeout(90_000);
  afterEach(function () {
    return cleanupAll({ dumpOutput: this.currentTest?.state === 'failed' });
  });

  it('three clients in two rooms, writing privately too, through 10% loss with duplication and reordering: every stream exactly once, in order, to its members only', async () => {
    const seed = seedFromEnv();
    console.log(`      seed ${seed} (replay with UDPCHAT_SEED=${seed})`);
    const server = await startServer(['--rate', '1000', '--burst', '1000']);
    const proxy = await startProxy({ target: { host: '127.0.0.1', port: server.port }, seed });
    const join = (nick: string, rooms: string[]): Promise<CliProcess> =>
      startClient(nick, proxy.port, { extraArgs: ['--timeout', '30', ...rooms.flatMap((r) => ['--room', r])], timeoutMs: 32_000 });
    const ann = await join('ann', ['#a']);
    const bob = await join('bob', ['#a', '#b']);
    const cy = await join('cy', ['#b']);
    await ann.waitForLine(/ \* you joined #a$/, 10_000);
    await bob.waitForLine(/ \* you joined #b$/, 10_000);
    await cy.waitForLine(/ \* you joined #b$/, 10_000);
    proxy.setFaults({ loss: 0.1, duplicate: 0.05, reorder: { probability: 0.1, minDelayMs: 5, maxDelayMs: 60 } });
    const N = 15;
    // Plain lines go to each client's first room; /msg #room and /msg nick name the stream.
    ann.writeLines(Array.from({ length: N }, (_, i) => [`a-ann ${i}`, `/msg cy ann-cy ${i}`]).flat());
    bob.writeLines(Array.from({ length: N }, (_, i) => [`a-bob ${i}`, `/msg #b b-bob ${i}`, `/msg ann bob-ann ${i}`]).flat());
    cy.writeLines(Array.from({ length: N }, (_, i) => [`b-cy ${i}`, `/msg ann cy-ann ${i}`]).flat());
    const counts = (): number[] => [ann, bob, cy].map((c) => streamMessages(c).length);
    // ann: #a 2N, *cy* 2N, *bob* N; bob: #a 2N, #b 2N, *ann* N; cy: #b 2N, *ann* 2N.
    const want = [5 * N, 5 * N, 4 * N];
    await Promise.all([ann, bob, cy].map((c, k) => c.waitUntil(() => streamMessages(c).length >= (want[k] as number), 60_000, () => `messages ${counts().join('/')} of ${want.join('/')}`)));
    const [a, b, c] = [ann, bob, cy].map(streamMessages) as [string[], string[], string[]];
    const sorted = (x: string[]): string[] => [...x].sort();
    // Each room: the same lines in the same order at each member, each once, per sender in order.
    expect(inStream(a, '#a')).to.have.length(2 * N).and.deep.equal(inStream(b, '#a'));
    expect(inStream(b, '#b')).to.have.length(2 * N).and.deep.equal(inStream(c, '#b'));
    for (const [lines, sender, prefix] of [[inStream(a, '#a'), 'ann', 'a-ann'], [inStream(a, '#a'), 'bob', 'a-bob'], [inStream(c, '#b'), 'bob', 'b-bob'], [inStream(c, '#b'), 'cy', 'b-cy']] as const) {
      expect(lines.filter((l) => l.startsWith(`${sender}: `))).to.deep.equal(Array.from({ length: N }, (_, i) => `${sender}: ${prefix} ${i}`));
    }
    // Each conversation: both sides, the same lines in the same order.
    expect(inStream(a, '*cy*')).to.have.length(2 * N).and.deep.equal(inStream(c, '*ann*'));
    expect(sorted(inStream(a, '*cy*'))).to.deep.equal(sorted([...Array.from({ length: N }, (_, i) => `ann: ann-cy ${i}`), ...Array.from({ length: N }, (_, i) => `cy: cy-ann ${i}`)]));
    expect(inStream(a, '*bob*')).to.have.length(N).and.deep.equal(inStream(b, '*ann*'));
    // Nobody saw a stream it is not in.
    expect(inStream(a, '#b')).to.deep.equal([]);
    expect(inStream(c, '#a')).to.deep.equal([]);
    expect(inStream(b, '*cy*')).to.deep.equal([]);
    const { up, down } = proxy.stats;
    console.log(`      up ${up.received} in / ${up.dropped} dropped / ${up.duplicated} duplicated; down ${down.received} in / ${down.dropped} dropped / ${down.duplicated} duplicated`);
  });

  it('a client of the revision before rooms chats in #lobby while others rename, set its topic, go away and use /me there, and is never sent what it cannot decode', async () => {
    // A revision-1 client does not seal: only a server started with --allow-cleartext admits it.
    const server = await startServer(['--allow-cleartext']);
    const old = new Rev1Client('old', server.port);
    try {
      await old.join();
      const ann = await startClient('ann', server.port);
      old.say('hello from the past');
      await ann.waitForLine(/ old: hello from the past$/, 10_000);
      ann.writeLines(['/me waves', '/topic reunion at 5', '/away lunch', '/back', '/nick anna', 'still here', '/join #side']);
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !old.messages().includes('anna: still here')) await new Promise((r) => setTimeout(r, 50));
      expect(old.messages()).to.include.members(['old: hello from the past', 'ann: /me waves', 'ann: /topic reunion at 5', 'ann: /away lunch', 'ann: /back', 'anna: still here']);
      // The rename came as a leave and a join: its member list stays right.
      const presence = old.lines.filter((l) => l.kind !== 'msg').map((l) => `${l.kind} ${l.nick}`);
      expect(presence).to.include.members(['leave ann', 'join anna']);
      expect(old.undecodable).to.equal(0);
      // And it is still heard.
      old.say('bye');
      await ann.waitForLine(/ old: bye$/, 10_000);
      const acked = Date.now() + 5_000;
      while (Date.now() < acked && old.pending > 0) await new Promise((r) => setTimeout(r, 20));
      expect(old.pending, 'acknowledged').to.equal(0);
    } finally {
      old.close();
    }
  });
});
