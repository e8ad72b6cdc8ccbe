import { expect } from 'chai';
import { JoinRetry } from '../../lib/tui/join-retry.js';

describe('JoinRetry', () => {
  let retry: JoinRetry | undefined;

  afterEach(() => retry?.stop());

  it('calls rejoin after the delay, doubling the delay up to the maximum', async () => {
    let calls = 0;
    retry = new JoinRetry(() => calls++, 10, 35);
    expect(retry.schedule()).to.equal(10);
    expect(retry.active).to.equal(true);
    await new Promise((r) => setTimeout(r, 40));
    expect(calls).to.equal(1);
    expect(retry.active, 'still retrying until stopped').to.equal(true);
    expect(retry.schedule()).to.equal(20);
    expect(retry.schedule()).to.equal(35);
    expect(retry.schedule()).to.equal(35);
  });

  it('stop cancels the pending retry and starts the backoff afresh', async () => {
    let calls = 0;
    retry = new JoinRetry(() => calls++, 10, 100);
    retry.schedule();
    retry.schedule();
    retry.stop();
    expect(retry.active).to.equal(false);
    await new Promise((r) => setTimeout(r, 40));
    expect(calls).to.equal(0);
    expect(retry.schedule()).to.equal(10);
  });
});
