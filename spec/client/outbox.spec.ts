import { expect } from 'chai';
import { Outbox } from '../../lib/client/outbox.js';
import { RttEstimator } from '../../lib/client/rtt-estimator.js';

function outbox(texts: string[] = [], srtt?: number): { box: Outbox; rtt: RttEstimator } {
  const rtt = new RttEstimator();
  if (srtt !== undefined) rtt.sample(srtt);
  const box = new Outbox(rtt);
  for (const t of texts) box.push(t);
  return { box, rtt };
}

const cseqs = (ms: ReadonlyArray<{ cseq: number }>): number[] => ms.map((m) => m.cseq);

describe('Outbox', () => {
  describe('#push and #takeNew', () => {
    it('numbers messages 1, 2, 3 … and sends at most cwnd (8) of them at first', () => {
      const { box } = outbox(Array.from({ length: 10 }, (_, i) => `m${i + 1}`));
      expect(cseqs(box.takeNew(0))).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(box.takeNew(0)).to.deep.equal([]);
      expect(box.size).to.equal(10);
    });

    it('gives each message sent a deadline one RTO away', () => {
      const { box } = outbox(['a'], 100);
      const [m] = box.takeNew(1_000);
      expect(m?.deadline).to.equal(1_000 + 300);
      expect(box.nextDeadline()).to.equal(1_300);
    });

    it('has no deadline while nothing is in flight', () => {
      const { box } = outbox(['a']);
      expect(box.nextDeadline()).to.equal(Infinity);
    });
  });

  describe('#ack', () => {
    it('completes every message up to the cumulative cseq and opens the window by as many', () => {
      const { box } = outbox(Array.from({ length: 12 }, (_, i) => `m${i + 1}`));
      box.takeNew(0);
      expect(box.ack(3, 50)).to.equal(3);
      expect(box.cwnd).to.equal(11);
      expect(cseqs(box.takeNew(50))).to.deep.equal([9, 10, 11, 12]);
      expect(box.size).to.equal(9);
    });

    it('ignores an ACK for a cseq never sent (it cannot be honest)', () => {
      const { box } = outbox(['a', 'b', 'c']);
      box.takeNew(0);
      box.push('d');
      expect(box.ack(4, 10)).to.equal(0);
      expect(box.size).to.equal(4);
      expect(box.lastAck).to.equal(0);
    });

    it('samples the RTT from an ACK of messages never retransmitted, from the newest one', () => {
      const { box, rtt } = outbox(['a', 'b']);
      box.takeNew(0);
      box.ack(2, 80);
      expect(rtt.srtt).to.equal(80);
    });

    it('takes no sample when a completed message was retransmitted (Karn)', () => {
      const { box, rtt } = outbox(['a']);
      box.takeNew(0);
      box.takeDue(250);
      box.ack(1, 300);
      expect(rtt.srtt).to.equal(undefined);
    });

    it('never opens the window past sendWindow (32)', () => {
      const { box } = outbox(Array.from({ length: 100 }, () => 'x'));
      for (let now = 0; now < 30; now++) box.ack(Math.max(0, ...cseqs(box.takeNew(now))), now);
      expect(box.cwnd).to.equal(32);
    });
  });

  describe('#takeDue', () => {
    it('resends only the oldest message when its timer expires, backs its RTO off and halves cwnd', () => {
      const { box } = outbox(['a', 'b', 'c']);
      box.takeNew(0);
      expect(box.takeDue(249)).to.deep.equal([]);
      const due = box.takeDue(250);
      expect(cseqs(due)).to.deep.equal([1]);
      expect(due[0]?.rto).to.equal(500);
      expect(box.nextDeadline()).to.equal(750);
      expect(box.cwnd).to.equal(4);
      expect(box.retransmissions).to.equal(1);
      // The others' timers moved out of the way: nothing else is due before the oldest's new deadline.
      expect(box.takeDue(700)).to.deep.equal([]);
    });

    it('does not halve the window below 2 and caps the backoff at maxRto', () => {
      const { box, rtt } = outbox(['a']);
      box.takeNew(0);
      for (let i = 0; i < 10; i++) expect(box.takeDue(box.nextDeadline())).to.have.length(1);
      expect(box.cwnd).to.equal(2);
      expect(box.queue[0]?.rto).to.equal(rtt.maxRto);
    });
  });

  describe('#onAckArrival', () => {
    it('resends the oldest message at once when it was sent more than 1.25·SRTT + 2 ms before an ACK', () => {
      const { box } = outbox(['a', 'b'], 100);
      box.takeNew(0);
      expect(box.onAckArrival(127)).to.equal(undefined);
      const m = box.onAckArrival(128);
      expect(m?.cseq).to.equal(1);
      expect(box.retransmissions).to.equal(1);
      // Counted as a retransmission, but the timer is left alone (docs/protocol.md §6.2.4).
      expect(m?.deadline).to.equal(300);
      expect(box.cwnd).to.equal(8);
      // The next such resend waits 1.25·SRTT + 2 ms from this one.
      expect(box.onAckArrival(200)).to.equal(undefined);
    });

    it('does nothing before any RTT sample', () => {
      const { box } = outbox(['a']);
      box.takeNew(0);
      expect(box.onAckArrival(10_000)).to.equal(undefined);
    });
  });

  describe('#takeRefused', () => {
    it('removes a refused queued message and returns its text', () => {
      const { box } = outbox(['a', 'b', 'c']);
      box.takeNew(0);
      expect(box.takeRefused(2)).to.equal('b');
      expect(cseqs(box.queue)).to.deep.equal([1, 3]);
    });

    it('names a message refused after it was acknowledged, and nothing it never had', () => {
      const { box } = outbox(['a', 'b']);
      box.takeNew(0);
      box.ack(2, 10);
      expect(box.takeRefused(1)).to.equal('a');
      expect(box.takeRefused(99)).to.equal(undefined);
    });

    it('still accepts the ACK covering a refused message (the server acknowledges it too)', () => {
      const { box } = outbox(['a', 'b', 'c']);
      box.takeNew(0);
      box.takeRefused(3);
      expect(box.ack(3, 10)).to.equal(2);
      expect(box.size).to.equal(0);
    });
  });

  describe('#restart', () => {
    it('drops what the new session already accepted and renumbers the rest, all unsent, window 8', () => {
      const { box } = outbox(['a', 'b', 'c', 'd']);
      box.takeNew(0);
      box.takeDue(250);
      expect(box.restart(2)).to.equal(2);
      expect(box.queue.map((m) => [m.cseq, m.text, m.retransmitted])).to.deep.equal([
        [3, 'c', false],
        [4, 'd', false],
      ]);
      expect(box.cwnd).to.equal(8);
      expect(box.nextDeadline()).to.equal(Infinity);
      box.push('e');
      expect(cseqs(box.takeNew(300))).to.deep.equal([3, 4, 5]);
    });

    it('numbers from 1 again after a server restart (ackedCseq 0)', () => {
      const { box } = outbox(['a', 'b']);
      box.takeNew(0);
      box.ack(1, 10);
      box.restart(0);
      expect(cseqs(box.queue)).to.deep.equal([1]);
      expect(box.takeRefused(1)).to.equal('b');
    });
  });
});
