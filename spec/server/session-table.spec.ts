import { expect } from 'chai';
import { nickKeys } from '../../lib/protocol/nick.js';
import { addressKey, type PeerAddress } from '../../lib/server/peer-address.js';
import { restoreSessions } from '../../lib/server/restore-state.js';
import { RepairBudget } from '../../lib/server/repair-budget.js';
import { type Session, SessionTable } from '../../lib/server/session-table.js';
import { TokenBucket } from '../../lib/server/token-bucket.js';

let nextId = 1;

/** The Session fields of both keys of a nickname (§5.3). */
function keysOf(nick: string): Pick<Session, 'nickKey' | 'nickCaseKey'> {
  const keys = nickKeys(nick);
  return { nickKey: keys.key, nickCaseKey: keys.caseKey };
}

function session(nick: string, address: PeerAddress, patch: Partial<Session> = {}): Session {
  const id = nextId++;
  return {
    key: addressKey(address),
    address,
    token: Buffer.alloc(16, id),
    clientIdHex: id.toString(16).padStart(32, '0'),
    nick,
    ...keysOf(nick),
    nextCseq: 1,
    inbox: new Map(),
    flood: new TokenBucket(10, 20, 0),
    hard: new TokenBucket(2000, 4000, 0),
    repair: new RepairBudget({ total: 0 }),
    paging: new TokenBucket(128 * 1024, 64 * 1024, 0),
    caps: 0,
    lastHeard: 0,
    confirmed: false,
    joinedAt: 0,
    cookieHex: `cookie-${id}`,
    historyFrom: 1,
    baseSeq: 0,
    ...patch,
  };
}

const at = (port: number, address = '10.0.0.1'): PeerAddress => ({ address, port });

describe('SessionTable', () => {
  describe('#add and lookups', () => {
    it('finds a session by its source address and by its nickname key', () => {
      const t = new SessionTable(32);
      const s = session('Bob', at(5000));
      t.add(s);
      expect(t.size).to.equal(1);
      expect(t.byAddress({ address: '10.0.0.1', port: 5000 })).to.equal(s);
      expect(t.byAddress(at(5001))).to.equal(undefined);
      expect(t.byNickKeys(nickKeys('bob'))).to.equal(s);
      expect([...t.all()]).to.deep.equal([s]);
    });

    it('finds the holder of a name by either key: Борис holds борис (case), Νick holds Nick (look-alike)', () => {
      const t = new SessionTable(32);
      const boris = session('Борис', at(5000));
      const nick = session('Νick', at(5001)); // Greek capital Nu
      t.add(boris);
      t.add(nick);
      expect(t.byNickKeys(nickKeys('борис'))).to.equal(boris);
      expect(t.byNickKeys(nickKeys('БОРИС'))).to.equal(boris);
      expect(t.byNickKeys(nickKeys('Nick'))).to.equal(nick);
      expect(t.byNickKeys(nickKeys('νick'))).to.equal(nick);
      t.rename(boris, 'Глеб', nickKeys('Глеб'));
      expect(t.byNickKeys(nickKeys('борис'))).to.equal(undefined);
      expect(t.byNickKeys(nickKeys('глеб'))).to.equal(boris);
      t.remove(boris);
      expect(t.byNickKeys(nickKeys('глеб'))).to.equal(undefined);
    });

    it('counts sessions per IP address and says when an address is full', () => {
      const t = new SessionTable(2);
      t.add(session('a', at(1)));
      expect(t.ipFull('10.0.0.1')).to.equal(false);
      t.add(session('b', at(2)));
      expect(t.ipFull('10.0.0.1')).to.equal(true);
      expect(t.ipFull('10.0.0.2')).to.equal(false);
    });
  });

  describe('#remove', () => {
    it('forgets the session everywhere and frees its place in the per-IP count', () => {
      const t = new SessionTable(1);
      const s = session('a', at(1));
      t.add(s);
      t.remove(s);
      expect(t.size).to.equal(0);
      expect(t.byAddress(at(1))).to.equal(undefined);
      expect(t.byNickKeys(nickKeys('a'))).to.equal(undefined);
      expect(t.ipFull('10.0.0.1')).to.equal(false);
    });

    it('leaves a newer session at the same address alone when asked to remove the old one', () => {
      const t = new SessionTable(32);
      const old = session('a', at(1));
      t.add(old);
      const taker = session('a', at(1));
      t.add(taker);
      t.remove(old);
      expect(t.byAddress(at(1))).to.equal(taker);
      expect(t.byNickKeys(nickKeys('a'))).to.equal(taker);
    });

    it('remembers the last accepted cseq of an ended session for one resume', () => {
      const t = new SessionTable(32);
      const s = session('a', at(1), { nextCseq: 8 });
      t.add(s);
      t.remove(s);
      expect(t.takeResume(s.clientIdHex)).to.equal(7);
      expect(t.takeResume(s.clientIdHex)).to.equal(0);
    });

    it('forgets the oldest resume entries past 4096 ended sessions', () => {
      const t = new SessionTable(10_000);
      const ended = Array.from({ length: 4097 }, (_, i) => session(`n${i}`, at(i + 1), { nextCseq: 2 }));
      for (const s of ended) {
        t.add(s);
        t.remove(s);
      }
      expect(t.takeResume((ended[0] as Session).clientIdHex)).to.equal(0);
      expect(t.takeResume((ended[4096] as Session).clientIdHex)).to.equal(1);
    });
  });

  describe('resume', () => {
    it('drops a remembered cseq when the client joins again (it is taken with the new session)', () => {
      const t = new SessionTable(32);
      t.rememberResume('c1', 41);
      t.add(session('a', at(1), { clientIdHex: 'c1' }));
      expect(t.takeResume('c1')).to.equal(0);
    });

    it('restores cseqs remembered from before a restart', () => {
      const t = new SessionTable(32);
      t.rememberResume('c1', 41);
      t.rememberResume('c1', 42);
      expect(t.takeResume('c1')).to.equal(42);
    });
  });

  describe('#addresses and #nicks', () => {
    it('lists member addresses and nicknames sorted by key, as the same arrays until membership changes', () => {
      const t = new SessionTable(32);
      const carol = session('carol', at(3));
      for (const s of [carol, session('Alice', at(1)), session('bob', at(2))]) t.add(s);
      const nicks = t.nicks();
      const addresses = t.addresses();
      expect(nicks).to.deep.equal(['Alice', 'bob', 'carol']);
      expect(addresses.map((a) => a.port).sort()).to.deep.equal([1, 2, 3]);
      expect(t.nicks()).to.equal(nicks);
      expect(t.addresses()).to.equal(addresses);
      t.remove(carol);
      expect(t.nicks()).to.deep.equal(['Alice', 'bob']);
      expect(t.addresses()).to.not.equal(addresses);
    });
  });

  describe('cookies', () => {
    it('remembers a used cookie until it expires or is forgotten', () => {
      const t = new SessionTable(32);
      t.useCookie('aa', 100);
      t.useCookie('bb', 200);
      expect(t.cookieUsed('aa')).to.equal(true);
      t.pruneCookies(100);
      expect(t.cookieUsed('aa')).to.equal(false);
      expect(t.cookieUsed('bb')).to.equal(true);
      t.forgetCookie('bb');
      expect(t.cookieUsed('bb')).to.equal(false);
    });
  });
});

describe('byCodePoint', () => {
  it('orders by code point, not by UTF-16 unit (U+FF41 before U+1F600)', async () => {
    const { byCodePoint } = await import('../../lib/server/session-table.js');
    const { expect } = await import('chai');
    const list = ['\u{1F600}x', '\uFF41x', 'b'];
    expect([...list].sort(byCodePoint)).to.deep.equal(['b', '\uFF41x', '\u{1F600}x']);
    expect(['\u{1F600}x', '\uFF41x'].sort((a, b) => (a < b ? -1 : 1))[0], 'UTF-16 order differs').to.equal('\u{1F600}x');
  });
});

describe('restoreSessions', () => {
  it('restores the first of two saved sessions that are now the same name (Борис, борис: either key, §5.3) and remembers the other\'s cseq', () => {
    const t = new SessionTable(32);
    const saved = (nick: string, port: number, id: number) => ({
      address: '10.0.0.1', port, token: Buffer.alloc(16, id), clientId: Buffer.alloc(16, id), nick, joinedAt: 0, lastHeard: 0, historyFrom: 1, baseSeq: 0, caps: 0,
    });
    const limits = () => ({ flood: new TokenBucket(10, 20, 0), hard: new TokenBucket(2000, 4000, 0), repair: new RepairBudget({ total: 0 }), paging: new TokenBucket(1, 1, 0) });
    const state = {
      instance: Buffer.alloc(8), lastSeq: 0, oldestStored: 1, tail: [],
      cseqs: new Map([[Buffer.alloc(16, 1).toString('hex'), 3], [Buffer.alloc(16, 2).toString('hex'), 5]]),
      sessions: [saved('Борис', 4000, 1), saved('борис', 4001, 2), saved('Νick', 4002, 3)],
    };
    expect(restoreSessions(t, state, limits, 0)).to.equal(2);
    expect([...t.all()].map((s) => s.nick)).to.deep.equal(['Борис', 'Νick']);
    expect(t.byNickKeys(nickKeys('борис'))?.nick).to.equal('Борис');
    expect(t.takeResume(Buffer.alloc(16, 2).toString('hex'))).to.equal(5);
  });
});
