import { expect } from 'chai';
import { OutageNotices } from '../../lib/client/outage-notices.js';
import type { ClientEvent } from '../../lib/client/session-types.js';

const reconnecting: ClientEvent = { type: 'state', state: 'reconnecting', rttMs: 10 };
const online: ClientEvent = { type: 'state', state: 'online', rttMs: 10 };
const lost: ClientEvent = { type: 'notice', text: 'connection lost: the server is shutting down; reconnecting…', lost: true };

describe('OutageNotices', () => {
  it('announces a silence once per outage, however many states repeat it', () => {
    const o = new OutageNotices();
    expect([reconnecting, reconnecting, online, reconnecting].map((e) => o.announce(e))).to.deep.equal([true, false, false, true]);
  });

  it('does not announce "reconnecting" again after the core already said the session was lost', () => {
    const o = new OutageNotices();
    expect([lost, reconnecting].map((e) => o.announce(e))).to.deep.equal([false, false]);
    o.announce({ type: 'joined', nick: 'me', rejoined: true });
    expect(o.announce(reconnecting)).to.equal(true);
  });

  it('ignores notices that are not about a lost session', () => {
    const o = new OutageNotices();
    o.announce({ type: 'notice', text: '3 messages could not be recovered' });
    expect(o.announce(reconnecting)).to.equal(true);
  });
});
