import { expect } from 'chai';
import { MessageLog, type LogEntry } from '../../lib/tui/message-log.js';
import type { Row } from '../../lib/tui/styled-text.js';

function entry(t: string, counts = true): LogEntry {
  return { spans: [{ text: t }], indent: 0, counts };
}

function texts(rows: Row[]): string[] {
  return rows.map((r) => r.map((g) => g.glyph.text).join(''));
}

describe('MessageLog', () => {
  it('shows the newest rows at the bottom', () => {
    const log = new MessageLog();
    for (let i = 1; i <= 5; i++) log.add(entry(`m${i}`), 10);
    expect(texts(log.visible(10, 3))).to.deep.equal(['m3', 'm4', 'm5']);
    expect(texts(log.visible(10, 8))).to.deep.equal(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('scrolls up and down by rows, stopping at the top and the bottom', () => {
    const log = new MessageLog();
    for (let i = 1; i <= 10; i++) log.add(entry(`m${i}`), 10);
    log.scrollUp(4, 10, 3);
    expect(texts(log.visible(10, 3))).to.deep.equal(['m4', 'm5', 'm6']);
    log.scrollUp(100, 10, 3);
    expect(texts(log.visible(10, 3))).to.deep.equal(['m1', 'm2', 'm3']);
    log.scrollDown(100);
    expect(texts(log.visible(10, 3))).to.deep.equal(['m8', 'm9', 'm10']);
  });

  it('puts older entries before the oldest with the view kept still, knows when it shows the oldest line, and drops a first line', () => {
    const log = new MessageLog();
    for (let i = 5; i <= 10; i++) log.add(entry(`m${i}`), 10);
    expect(log.atTop(10, 3)).to.equal(false);
    log.scrollUp(100, 10, 3);
    expect(log.atTop(10, 3)).to.equal(true);
    expect(texts(log.visible(10, 3))).to.deep.equal(['m5', 'm6', 'm7']);
    const loading = entry('loading', false);
    expect(log.prepend([loading], 10)).to.equal(1);
    expect(texts(log.visible(10, 3)), 'the view stays').to.deep.equal(['m5', 'm6', 'm7']);
    expect(log.atTop(10, 3)).to.equal(false);
    expect(log.dropFirst(entry('not it'))).to.equal(false);
    expect(log.dropFirst(loading)).to.equal(true);
    expect(log.prepend([entry('m1'), entry('m2'), entry('m3 wraps over rows')], 10)).to.equal(4);
    log.scrollUp(100, 10, 3);
    expect(texts(log.visible(10, 3)).map((t) => t.trimEnd())).to.deep.equal(['m1', 'm2', 'm3 wraps']);
    expect(log.size).to.equal(9);
    const fits = new MessageLog();
    fits.add(entry('one'), 10);
    expect(fits.atTop(10, 3), 'everything on screen').to.equal(true);
  });

  it('keeps the view still and counts new entries while scrolled up', () => {
    const log = new MessageLog();
    for (let i = 1; i <= 10; i++) log.add(entry(`m${i}`), 10);
    log.scrollUp(3, 10, 3);
    const before = texts(log.visible(10, 3));
    log.add(entry('new one'), 10);
    log.add(entry('a system line', false), 10);
    log.add(entry('new two is long enough to wrap'), 10);
    expect(texts(log.visible(10, 3))).to.deep.equal(before);
    expect(log.unseen).to.equal(2);
    log.scrollDown(100);
    expect(log.unseen).to.equal(0);
    expect(log.scrolledUp).to.equal(false);
  });

  it('wraps to the width asked for', () => {
    const log = new MessageLog();
    log.add(entry('aaaa bbbb'), 10);
    expect(texts(log.visible(5, 5))).to.deep.equal(['aaaa ', 'bbbb']);
    expect(texts(log.visible(20, 5))).to.deep.equal(['aaaa bbbb']);
  });

  it('forgets the oldest entries beyond its limit, and clears', () => {
    const log = new MessageLog(3);
    for (let i = 1; i <= 5; i++) log.add(entry(`m${i}`), 10);
    expect(log.size).to.equal(3);
    expect(texts(log.visible(10, 10))).to.deep.equal(['m3', 'm4', 'm5']);
    log.clear();
    expect(log.visible(10, 10)).to.deep.equal([]);
  });
});

describe('MessageLog bounds', () => {
  it('keeps at most its limit (plus one batch) of entries and a bounded cache of wrapped rows', () => {
    const log = new MessageLog(100);
    for (let i = 1; i <= 3_000; i++) {
      log.add(entry(`m${i}`), 10);
      if (i % 7 === 0) log.visible(10, 5);
    }
    expect(log.size).to.be.at.most(100 + 13);
    expect(texts(log.visible(10, 2))).to.deep.equal(['m2999', 'm3000']);
    log.scrollUp(3_000, 10, 5);
    expect(texts(log.visible(10, 1))[0]).to.match(/^m2\d\d\d$/u);
    expect(log.cachedEntries).to.be.at.most(1000);
  });

  it('removes an entry and keeps the reader in place while scrolled up', () => {
    const log = new MessageLog();
    const pending = entry('pending');
    for (let i = 1; i <= 10; i++) log.add(entry(`m${i}`), 10);
    log.add(pending, 10);
    log.scrollUp(3, 10, 3);
    const before = texts(log.visible(10, 3));
    expect(log.remove(pending, 10)).to.equal(true);
    expect(texts(log.visible(10, 3))).to.deep.equal(before);
    expect(log.remove(pending, 10)).to.equal(false);
    log.scrollToBottom();
    expect(texts(log.visible(10, 2))).to.deep.equal(['m9', 'm10']);
  });

  it('counts every entry ever added, past the limit and removals too (what arrived between two frames)', () => {
    const log = new MessageLog(10);
    const first = entry('first');
    log.add(first, 10);
    for (let i = 0; i < 30; i++) log.add(entry(`m${i}`), 10);
    log.remove(first, 10);
    expect(log.added).to.equal(31);
    expect(log.size).to.be.at.most(12);
  });
});
