import { expect } from 'chai';
import { DEFAULTS } from '../../lib/protocol/constants.js';
import { RttEstimator } from '../../lib/client/rtt-estimator.js';

describe('RttEstimator', () => {
  it('has no SRTT and the initial RTO (250 ms) before any sample', () => {
    const rtt = new RttEstimator();
    expect(rtt.srtt).to.equal(undefined);
    expect(rtt.rto).to.equal(DEFAULTS.initialRtoMs);
    expect(rtt.maxRto).to.equal(DEFAULTS.maxRtoMs);
  });

  it('takes the first sample as SRTT with RTTVAR = R/2 (RTO = 3R)', () => {
    const rtt = new RttEstimator();
    rtt.sample(100);
    expect(rtt.srtt).to.equal(100);
    expect(rtt.rto).to.equal(300);
  });

  it('smooths later samples as RFC 6298 does (⅞ / ¼ gains)', () => {
    const rtt = new RttEstimator();
    rtt.sample(100);
    rtt.sample(200);
    // RTTVAR = ¾·50 + ¼·|100 − 200| = 62.5; SRTT = ⅞·100 + ⅛·200 = 112.5
    expect(rtt.srtt).to.equal(112.5);
    expect(rtt.rto).to.equal(112.5 + 4 * 62.5);
  });

  it('never goes below minRtoMs (25 ms) on a fast path', () => {
    const rtt = new RttEstimator();
    for (let i = 0; i < 50; i++) rtt.sample(1);
    expect(rtt.rto).to.equal(DEFAULTS.minRtoMs);
  });

  it('caps the RTO at max(1 s, 2·SRTT), and never above 8 s', () => {
    const slow = new RttEstimator();
    slow.sample(900);
    expect(slow.maxRto).to.equal(1_800);
    expect(slow.rto).to.equal(1_800);
    const awful = new RttEstimator();
    awful.sample(6_000);
    expect(awful.maxRto).to.equal(8_000);
    expect(awful.rto).to.equal(8_000);
  });

  it('treats negative samples as 0', () => {
    const rtt = new RttEstimator();
    rtt.sample(-20);
    expect(rtt.srtt).to.equal(0);
  });

  it('lets the first ordinary sample replace a provisional one outright', () => {
    const rtt = new RttEstimator();
    rtt.sample(2_000, true);
    expect(rtt.srtt).to.equal(2_000);
    rtt.sample(40);
    expect(rtt.srtt).to.equal(40);
    expect(rtt.rto).to.equal(120);
    rtt.sample(80);
    expect(rtt.srtt).to.equal(45);
  });

  it('smooths provisional samples into each other until an ordinary one comes', () => {
    const rtt = new RttEstimator();
    rtt.sample(800, true);
    rtt.sample(0, true);
    expect(rtt.srtt).to.equal(700);
  });
});
