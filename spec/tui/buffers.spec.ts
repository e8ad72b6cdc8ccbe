import { expect } from 'chai';
import { BufferList, ChatBuffer, UNREAD_TEXT } from '../../lib/tui/buffers.js';
import { activitySpans, bufferRows, BUFFER_STYLE } from '../../lib/tui/buffer-list.js';
import type { LogEntry } from '../../lib/tui/message-log.js';
import type { Row } from '../../lib/tui/styled-text.js';

function entry(t: string, counts = true): LogEntry {
  return { spans: [{ text: t }], indent: 0, counts };
}

function texts(rows: Row[]): string[] {
  return rows.map((r) => r.map((g) => g.glyph.text).join(''));
}

function shown(b: ChatBuffer): string[] {
  return texts(b.log.visible(40, 20));
}

function threeBuffers(): { list: BufferList; lobby: ChatBuffer; ops: ChatBuffer; bob: ChatBuffer } {
  const list = new BufferList(new ChatBuffer(0, 'room', '#lobby'));
  const ops = list.open(5, 'room', '#ops');
  const bob = list.open(9, 'private', 'bob');
  return { list, lobby: list.get(0) as ChatBuffer, ops, bob };
}

describe('buffers', () => {
  it('opens each stream once, in order, numbered from 1; the first is shown', () => {
    const { list, lobby, ops, bob } = threeBuffers();
    expect(list.all).to.deep.equal([lobby, ops, bob]);
    expect(list.open(5, 'room', '#OPS')).to.equal(ops);
    expect(ops.name).to.equal('#OPS');
    expect(list.active).to.equal(lobby);
    expect(list.numberOf(bob)).to.equal(3);
    expect(list.findPrivate('BOB', (n) => n.toLowerCase())).to.equal(bob);
    expect(list.findPrivate('ops', (n) => n.toLowerCase())).to.equal(undefined);
  });

  it('counts messages in background buffers only, and highlights mentions and private messages', () => {
    const { list, lobby, ops, bob } = threeBuffers();
    list.add(lobby, entry('a'), 40);
    list.add(ops, entry('b'), 40);
    list.add(ops, entry('system line', false), 40);
    list.add(ops, entry('c'), 40);
    list.add(bob, entry('psst'), 40, true);
    expect([lobby.unread, ops.unread, bob.unread]).to.deep.equal([0, 2, 1]);
    expect([ops.highlight, bob.highlight]).to.deep.equal([false, true]);
    expect(list.activity().map((a) => [a.number, a.buffer.name])).to.deep.equal([[2, '#ops'], [3, 'bob']]);
  });

  it('switches by number, cyclically, and resets the counts of the buffer shown', () => {
    const { list, lobby, ops, bob } = threeBuffers();
    list.add(bob, entry('psst'), 40, true);
    expect(list.select(3)).to.equal(true);
    expect(list.active).to.equal(bob);
    expect([bob.unread, bob.highlight]).to.deep.equal([0, false]);
    expect(list.select(4)).to.equal(false);
    expect(list.select(0)).to.equal(false);
    list.cycle(1);
    expect(list.active).to.equal(lobby);
    list.cycle(-1);
    expect(list.active).to.equal(bob);
    list.cycle(-1);
    expect(list.active).to.equal(ops);
    expect(list.selectBuffer(lobby)).to.equal(true);
  });

  it('puts one unread marker above the first line that arrived since the user left, and moves it on the next absence', () => {
    const { list, lobby, ops } = threeBuffers();
    list.select(2);
    list.add(ops, entry('read 1'), 40);
    list.select(1);
    list.add(ops, entry('new 1'), 40);
    list.add(ops, entry('new 2'), 40);
    expect(shown(ops)).to.deep.equal(['read 1', UNREAD_TEXT, 'new 1', 'new 2']);
    list.select(2);
    // Looking at it keeps the marker where it is …
    list.add(ops, entry('live'), 40);
    expect(shown(ops)).to.deep.equal(['read 1', UNREAD_TEXT, 'new 1', 'new 2', 'live']);
    // … leaving without news keeps it too; the next news moves it.
    list.select(1);
    expect(shown(ops)).to.deep.equal(['read 1', UNREAD_TEXT, 'new 1', 'new 2', 'live']);
    list.add(ops, entry('system', false), 40);
    list.add(ops, entry('newer'), 40);
    expect(shown(ops)).to.deep.equal(['read 1', 'new 1', 'new 2', 'live', 'system', UNREAD_TEXT, 'newer']);
    expect(lobby.hasMarker).to.equal(false);
    ops.clear();
    expect([shown(ops).length, ops.hasMarker]).to.deep.equal([0, false]);
  });

  it('closes a buffer (never the first); the one shown falls to its left neighbour', () => {
    const { list, lobby, ops, bob } = threeBuffers();
    expect(list.close(0)).to.equal(false);
    expect(list.close(77)).to.equal(false);
    list.select(3);
    list.add(ops, entry('x'), 40);
    expect(list.close(9)).to.equal(true);
    expect(list.active).to.equal(ops);
    expect(ops.unread).to.equal(0);
    list.open(12, 'room', '#dev');
    list.select(3);
    expect(list.close(5)).to.equal(true);
    expect(list.active.name).to.equal('#dev');
    expect(list.all).to.deep.equal([lobby, list.get(12)]);
    void bob;
  });

  it('lists buffers one a row: number, name (*nick* for private), unread count; the shown one and highlights styled', () => {
    const { list, ops, bob } = threeBuffers();
    list.add(ops, entry('x'), 40);
    list.add(ops, entry('y'), 40);
    list.add(bob, entry('psst'), 40, true);
    const rows = bufferRows(list, 14, 10);
    expect(texts(rows)).to.deep.equal([' 1 #lobby', ' 2 #ops 2', ' 3 *bob* 1']);
    expect(rows[0]?.[3]?.style).to.deep.equal(BUFFER_STYLE.active);
    expect(rows[1]?.[3]?.style).to.deep.equal(BUFFER_STYLE.unread);
    expect(rows[2]?.[3]?.style).to.deep.equal(BUFFER_STYLE.highlight);
    // Narrow: the name is cut, the count stays.
    list.open(13, 'room', '#a-very-long-room-name');
    list.add(list.get(13) as ChatBuffer, entry('z'), 40);
    expect(texts(bufferRows(list, 12, 10))[3]).to.equal(' 4 #a-ver… 1');
  });

  it('keeps the shown buffer in view when the list is longer than the box', () => {
    const list = new BufferList(new ChatBuffer(0, 'room', '#lobby'));
    for (let i = 1; i < 12; i++) list.open(i, 'room', `#r${i}`);
    list.select(12);
    expect(texts(bufferRows(list, 12, 3))).to.deep.equal([' 10 #r9', ' 11 #r10', ' 12 #r11'].map((s) => s.slice(1)));
    list.select(1);
    expect(texts(bufferRows(list, 12, 3))).to.deep.equal([' 1 #lobby', ' 2 #r1', ' 3 #r2']);
  });

  it('shows activity in the status line: highlighted buffers first, then the others in order', () => {
    const { list, ops, bob } = threeBuffers();
    expect(activitySpans(list, {})).to.deep.equal([]);
    list.add(ops, entry('x'), 40);
    list.add(bob, entry('psst'), 40, true);
    expect(activitySpans(list, {}).map((s) => s.text).join('')).to.equal('[Act: 3:*bob*(1) 2:#ops(1)]');
  });

  it('escapes names from the network', () => {
    const list = new BufferList(new ChatBuffer(0, 'room', '#lobby'));
    list.open(3, 'private', 'x\x1b[2Jy');
    expect(texts(bufferRows(list, 30, 5))[1]).to.equal(' 2 *x\\x1b[2Jy*');
  });
});
