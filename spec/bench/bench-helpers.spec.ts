/**
 * The pure parts of the bench (bench/): latency histogram, message texts, the per-sender order
 * check, iperf3 JSON parsing, the rate search and its verdicts, the batching relay's datagrams,
 * merging several load generators' results, and the statistics of the report.
 * No processes or sockets here; `npm run bench -- --quick` exercises those.
 */
import { expect } from 'chai';
import { Histogram, median } from '../../bench/histogram.js';
import { parseIperfJson } from '../../bench/iperf.js';
import { messageText, parseText, StepBook } from '../../bench/load-common.js';
import type { StepResult } from '../../bench/loadgen-protocol.js';
import { bottleneck, CRITERIA, medianSliceCpu, searchRate, verdict, type StepRecord } from '../../bench/search.js';

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
    for (const text of ['hello', '', 't=1 s=2 i=3', 't=1 s=x i=3 k=1', 't=1  s=2 i=3 k=4', 't= s=2 i=3 k=4', ' t=1 s=2 i=3 k=4']) {
      expect(parseText(text), text).to.equal(undefined);
    }
    expect(parseText('t=1 s=2 i=3 k=4')).to.deep.equal({ t: 1, s: 2, i: 3, k: 4 });
  });
});

describe('StepBook', () => {
  it('counts deliveries of the current step, duplicates and skipped messages per sender', () => {
    const book = new StepBook();
    book.begin(2, 1);
    const last = new Int32Array(4);
    book.receive(last, 0, 1, 1, 2, 0);
    book.receive(last, 0, 1, 1, 2, 0); // again
    book.receive(last, 0, 1, 4, 2, 0); // 2 and 3 skipped
    book.receive(last, 0, 1, 3, 2, 0); // older than the last one
    book.receive(last, 0, 2, 1, 1, 0); // from step 1: late
    expect(book.delivered).to.equal(2);
    expect(book.duplicates).to.equal(2);
    expect(book.skipped).to.equal(2);
    expect(book.late).to.equal(1);
  });

  it('reads chat texts as they arrive, with the arrival time given, and ignores foreign ones', () => {
    const book = new StepBook();
    book.begin(1, 1);
    const last = new Int32Array(4);
    book.receiveText(last, 0, messageText(1_000, 2, 1, 1, 48), 6_000);
    book.receiveText(last, 0, 'hello', 6_000);
    expect(book.delivered).to.equal(1);
    expect(book.summary().latency.p50Ms).to.be.closeTo(5, 0.1);
  });

  it("does not count the receiver's own messages, for any system", () => {
    const book = new StepBook();
    book.begin(1, 1);
    const last = new Int32Array(4);
    book.receive(last, 3, 3, 1, 1, 0);
    book.receive(last, 3, 2, 1, 1, 0);
    expect(book.delivered).to.equal(1);
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
    latency: { count: 1, p50Ms: 1, p99Ms: 2, maxMs: 3, meanMs: 1 },
    hist: { all: new Histogram().toJSON(), early: new Histogram().toJSON(), late: new Histogram().toJSON() },
    receivers: 10,
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
  return { ...base, pass: reason === '', reason, serverCpuMs: 0, serverWindowCpuShare: 0, cpuUsPerDelivery: 0, cpuUsPerDeliverySteady: NaN, otherCores: 0, otherWindowCores: 0, rcvbufErrors: 0, deliveriesPerSec: rate * 10, serverDatagramsPerSec: rate * 10, loadgenWindowCores: 0, loadAverage: 0 };
}

describe('medianSliceCpu', () => {
  it("takes the median of the window's 1 s slices, so a one-off burst moves one slice only", () => {
    // 20 ms of CPU a second, sampled every 100 ms over 8 s, and a 60 ms burst in the fifth second.
    const samples = Array.from({ length: 81 }, (_, i) => ({ t: i * 100, cpu: i * 2 + (i >= 45 ? 60 : 0) }));
    expect(medianSliceCpu(samples, 8000)).to.be.closeTo(20, 1e-9);
    expect(medianSliceCpu(samples.slice(0, 6), 500)).to.be.NaN;
    expect(medianSliceCpu([{ t: 0, cpu: 0 }], 8000)).to.be.NaN;
  });
});

describe('verdict', () => {
  it('fails a step whose latency grows through the window (a queue building up)', () => {
    const r = { ...fakeStep(100, 1000), earlyP50Ms: 5, lateP50Ms: 400 };
    expect(verdict(r, CRITERIA, true)).to.match(/queue building/);
  });

  it('holds p99 to 100 ms', () => {
    const r = fakeStep(100, 1000);
    expect(verdict({ ...r, latency: { ...r.latency, p99Ms: 99 } }, CRITERIA, true)).to.equal('');
    expect(verdict({ ...r, latency: { ...r.latency, p99Ms: 101 } }, CRITERIA, true)).to.match(/p99 101 ms/);
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
    expect(bottleneck({ ...f, serverWindowCpuShare: 0.98, loadgenWindowCpuShare: 0.5 }, 2)).to.equal('server CPU');
    expect(bottleneck({ ...f, serverWindowCpuShare: 0.6, loadgenWindowCpuShare: 0.99 }, 2)).to.equal('load generator');
    expect(bottleneck({ ...f, serverWindowCpuShare: 0.5, otherWindowCores: 1.2 }, 2)).to.equal('shared machine (other processes)');
    expect(bottleneck({ ...f, serverWindowCpuShare: 0.7, loadgenWindowCpuShare: 0.6, loadgenWindowCores: 1.2 }, 2)).to.equal('machine CPU (all cores busy, most of it the load generators)');
    // A full machine delays every event loop: that is the machine's doing, not the load generator's.
    expect(bottleneck({ ...f, serverWindowCpuShare: 0.39, loadgenWindowCpuShare: 0.57, loadgenWindowCores: 1.12, otherWindowCores: 0.43, loopDelayP99Ms: 120 }, 2)).to.match(/^machine CPU/);
    expect(bottleneck({ ...f, serverWindowCpuShare: 0.4, loadgenWindowCpuShare: 0.5, loadgenWindowCores: 0.8, loopDelayP99Ms: 120 }, 2)).to.equal('load generator (event loop delayed)');
    expect(bottleneck({ ...f, errors: { 'closed: cut off': 3 } }, 2)).to.match(/peers cut off/);
  });
});
