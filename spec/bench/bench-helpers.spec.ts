/**
 * The pure parts of the bench (bench/): latency histogram, message texts, the per-sender order
 * check, the seed stream demultiplexer, iperf3 JSON parsing, seed extraction and the rate search.
 * No processes or sockets here; `npm run bench -- --quick` exercises those.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Histogram, median } from '../../bench/histogram.js';
import { parseIperfJson } from '../../bench/iperf.js';
import { messageText, parseText, StepBook } from '../../bench/load-common.js';
import type { StepResult } from '../../bench/loadgen-protocol.js';
import { bottleneck, CRITERIA, searchRate, verdict, type StepRecord } from '../../bench/search.js';
import { extractSeedServer } from '../../bench/seed-tcp.js';
import { SeedStream } from '../../bench/seed-stream.js';

describe('Histogram', () => {
  it('reports percentiles within 2 % of the exact values', () => {
    const h = new Histogram();
    for (let us = 1; us <= 100_000; us++) h.record(us);
    expect(h.quantileUs(0.5)).to.be.closeTo(50_000, 1_000);
    expect(h.quantileUs(0.99)).to.be.closeTo(99_000, 2_000);
    expect(h.summary().maxMs).to.equal(100);
    expect(h.summary().count).to.equal(100_000);
  });

  it('never reports a percentile above the maximum', () => {
    const h = new Histogram();
    h.record(1234.5);
    expect(h.quantileUs(0.99)).to.equal(1234.5);
  });

  it('is empty after reset', () => {
    const h = new Histogram();
    h.record(5);
    h.reset();
    expect(h.summary()).to.deep.equal({ count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0 });
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones, ignoring NaN', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 2, 3])).to.equal(2.5);
    expect(median([NaN, 7])).to.equal(7);
    expect(median([])).to.be.NaN;
  });
});

describe('messageText', () => {
  it('pads to the asked size and parses back', () => {
    const text = messageText(123_456_789, 42, 7, 3, 48);
    expect(text).to.have.length(48);
    expect(text).not.to.match(/[p:\n{}]/);
    expect(parseText(text)).to.deep.equal({ t: 123_456_789, s: 42, i: 7, k: 3 });
  });

  it('does not parse a foreign chat line', () => {
    expect(parseText('hello')).to.equal(undefined);
  });
});

describe('StepBook', () => {
  it('counts deliveries of the current step, duplicates and skipped messages per sender', () => {
    const book = new StepBook();
    book.begin(2, 1);
    const last = new Int32Array(4);
    book.receive(last, 1, 1, 2, 0);
    book.receive(last, 1, 1, 2, 0); // again
    book.receive(last, 1, 4, 2, 0); // 2 and 3 skipped
    book.receive(last, 1, 3, 2, 0); // older than the last one
    book.receive(last, 2, 1, 1, 0); // from step 1: late
    expect(book.delivered).to.equal(2);
    expect(book.duplicates).to.equal(2);
    expect(book.skipped).to.equal(2);
    expect(book.late).to.equal(1);
  });
});

describe('SeedStream', () => {
  const run = (pieces: string[]): { got: string[]; joins: number[]; errors: number } => {
    const got: string[] = [];
    const joins: number[] = [];
    const s = new SeedStream(
      (sender, body) => got.push(`${sender}:${body}`),
      (who) => joins.push(who),
    );
    for (const p of pieces) s.push(p);
    return { got, joins, errors: s.errors };
  };

  it('separates messages glued into one chunk and notices without delimiters', () => {
    const r = run(['p3 присоединился в чатp1: {a}{b}p2: {c}p4 вышел из чата']);
    expect(r.got).to.deep.equal(['1:a', '1:b', '2:c']);
    expect(r.joins).to.deep.equal([3]);
    expect(r.errors).to.equal(0);
  });

  it('reassembles a message split across chunks of the same sender with another sender in between', () => {
    const r = run(['p1: {ab', 'cp2: {x}p1: de}']);
    expect(r.got).to.deep.equal(['2:x', '1:abcde']);
  });

  it('waits for a header cut by the read, and skips history lines', () => {
    const r = run(['\np0 присоединился в чат\np1 присо', 'единился в чатp1', '0: {m}']);
    expect(r.joins).to.deep.equal([0, 1]);
    expect(r.got).to.deep.equal(['10:m']);
    expect(r.errors).to.equal(0);
  });

  it('gives the same result for any split of the stream', () => {
    const stream = 'p1: {t=1 s=1 i=1 k=1 ..}{t=2 s=1 i=2 k=1 ..}p22 присоединился в чатp2: {t=3 s=2 i=1 k=1 .}';
    const whole = run([stream]).got;
    for (let cut = 1; cut < stream.length; cut++) expect(run([stream.slice(0, cut), stream.slice(cut)]).got).to.deep.equal(whole);
  });
});

describe('parseIperfJson', () => {
  it('computes received datagrams/s from the receiver totals', () => {
    const json = JSON.stringify({
      end: {
        sum_sent: { seconds: 2, packets: 200_000 },
        sum_received: { seconds: 2, packets: 200_000, lost_packets: 20_000 },
        cpu_utilization_percent: { host_total: 90, remote_total: 60 },
      },
    });
    const r = parseIperfJson(json, 72);
    expect(r.receivedPerSec).to.equal(90_000);
    expect(r.sentPerSec).to.equal(100_000);
    expect(r.lossPercent).to.equal(10);
  });

  it('throws on an iperf3 error report', () => {
    expect(() => parseIperfJson(JSON.stringify({ error: 'unable to connect' }), 72)).to.throw(/unable to connect/);
  });
});

describe('extractSeedServer', () => {
  it('takes the Python block that binds and accepts, verbatim, not the client', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seed-spec-'));
    try {
      const client = 'import socket\nc = socket.socket()\nc.connect(("127.0.0.1", 9090))\n';
      const server = 'import socket\ns = socket.socket()\ns.bind(("127.0.0.1", 9090))\ns.listen()\nwhile True:\n    s.accept()\n';
      writeFileSync(path.join(dir, 'seed.txt'), `# Task\n\n\`\`\`python\n${client}\`\`\`\n\n## Server\n\n\`\`\`python\n${server}\`\`\`\n`);
      expect(extractSeedServer(dir)).to.equal(server);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function fakeStep(rate: number, capacity: number): StepRecord {
  const base: StepResult = {
    type: 'step',
    rate,
    seconds: 1,
    offered: rate,
    acceptedInWindow: rate,
    accepted: rate,
    expectedDeliveries: rate * 10,
    delivered: rate > capacity ? rate * 5 : rate * 10,
    loss: rate > capacity ? 0.5 : 0,
    duplicates: 0,
    skipped: 0,
    earlyP50Ms: 1,
    lateP50Ms: 1,
    lastAcceptMs: 1000,
    lastDeliveryMs: 1000,
    datagramsIn: 0,
    datagramsOut: 0,
    retransmissions: 0,
    nacks: 0,
    latency: { count: 1, p50Ms: 1, p99Ms: 2, maxMs: 3, meanMs: 1 },
    windowMs: 1000,
    drainMs: 0,
    loadgenCpuMs: 0,
    loadgenCpuShare: 0,
    loadgenWindowCpuShare: 0,
    loopDelayP99Ms: 0,
    loopDelayMaxMs: 0,
    pacerBehind: false,
    errors: {},
    extra: {},
  };
  const reason = verdict(base, CRITERIA, true);
  return { ...base, pass: reason === '', reason, serverCpuMs: 0, serverCpuShare: 0, serverWindowCpuShare: 0, cpuUsPerDelivery: 0, otherCores: 0, otherWindowCores: 0, rcvbufErrors: 0, acceptedPerSec: rate, deliveriesPerSec: rate * 10 };
}

describe('verdict', () => {
  it('fails a step whose latency grows through the window (a queue building up)', () => {
    const r = { ...fakeStep(100, 1000), earlyP50Ms: 5, lateP50Ms: 400 };
    expect(verdict(r, CRITERIA, true)).to.match(/queue building/);
  });

  it('fails skipped messages only for reliable systems', () => {
    const r = { ...fakeStep(100, 1000), skipped: 1 };
    expect(verdict(r, CRITERIA, true)).to.match(/skipped/);
    expect(verdict(r, CRITERIA, false)).to.equal('');
  });
});

describe('searchRate', () => {
  it('grows, then bisects to within the last bisection of the capacity', async () => {
    const tried: number[] = [];
    const r = await searchRate(
      async (rate) => {
        tried.push(rate);
        return fakeStep(rate, 3000);
      },
      10,
      { start: 500, factor: 2, bisections: 4, maxRate: 1e6, maxDeliveriesPerSec: 1e9, deadline: Date.now() + 60_000 },
    );
    expect(tried.slice(0, 4)).to.deep.equal([500, 1000, 2000, 4000]);
    expect(r.best?.rate).to.be.within(2500, 3000);
    expect(r.firstFail?.rate).to.be.above(3000);
  });

  it('stops at the cap when every step passes', async () => {
    const r = await searchRate(async (rate) => fakeStep(rate, Infinity), 100, {
      start: 100,
      factor: 4,
      bisections: 2,
      maxRate: 1e6,
      maxDeliveriesPerSec: 100_000,
      deadline: Date.now() + 60_000,
    });
    expect(r.capped).to.equal(true);
    expect(r.best?.rate).to.equal(1000);
  });
});

describe('verdict (throughput)', () => {
  it('fails a step whose last acknowledgement comes well after the window', () => {
    const r = { ...fakeStep(100, 1000), lastAcceptMs: 1400 };
    expect(verdict(r, CRITERIA, true)).to.match(/accepted 71% of the offered rate/);
  });
});

describe('Histogram buckets', () => {
  it('puts every value in a bucket whose upper edge is at most 1/64 above it', () => {
    for (const us of [0, 1, 63, 64, 65, 127, 128, 1000, 12_345, 999_999, 2 ** 31 - 1, 2 ** 31 + 5, 3e9]) {
      const h = new Histogram();
      h.record(us);
      h.record(1e12); // so the quantile is not clamped to this value's own maximum
      const q = h.quantileUs(0.5);
      expect(q, `for ${us}`).to.be.at.least(us);
      expect(q, `for ${us}`).to.be.at.most(Math.max(us + 1, us * (1 + 1 / 64)));
    }
  });
});

describe('bottleneck', () => {
  it('names the side that gave out', () => {
    const f = fakeStep(5000, 1000);
    expect(bottleneck({ ...f, serverWindowCpuShare: 0.98, loadgenWindowCpuShare: 0.5 })).to.equal('server CPU');
    expect(bottleneck({ ...f, serverWindowCpuShare: 0.6, loadgenWindowCpuShare: 0.99 })).to.equal('load generator');
    expect(bottleneck({ ...f, serverWindowCpuShare: 0.5, otherWindowCores: 1.2 })).to.equal('shared machine (other processes)');
    expect(bottleneck({ ...f, errors: { UDPCHAT_ERR_FLOODING: 3 } })).to.match(/hard limit/);
  });
});
