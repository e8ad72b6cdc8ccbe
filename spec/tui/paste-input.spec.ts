import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { PASTE_LIMIT, PasteInput } from '../../lib/tui/paste-input.js';

describe('PasteInput', () => {
  let input: PassThrough;
  let paste: PasteInput;
  let keys: string;
  let pastes: Array<{ text: string; truncated: boolean }>;

  beforeEach(() => {
    input = new PassThrough();
    keys = '';
    pastes = [];
    paste = new PasteInput(input, (text, truncated) => pastes.push({ text, truncated }));
    paste.keys.on('data', (b: Buffer) => { keys += b.toString('utf8'); });
  });

  afterEach(() => {
    paste.detach();
    input.destroy();
  });

  function feed(...chunks: Array<string | Buffer>): void {
    for (const c of chunks) input.emit('data', typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
  }

  it('passes keys through and hands a bracketed paste over whole, keys around it in order', () => {
    const order: string[] = [];
    paste.keys.on('data', (b: Buffer) => order.push(`k:${b.toString('utf8')}`));
    paste.detach();
    paste = new PasteInput(input, (text) => order.push(`p:${text}`));
    paste.keys.on('data', (b: Buffer) => order.push(`k:${b.toString('utf8')}`));
    feed('ab\x1b[200~line 1\r\nline 2\x1b[201~c\r');
    expect(order).to.deep.equal(['k:ab', 'p:line 1\r\nline 2', 'k:c\r']);
  });

  it('joins a paste that arrives in many reads, with markers and UTF-8 split between reads', () => {
    const text = `Привет 👋 ${'x'.repeat(70_000)}\nend`;
    const bytes = Buffer.from(`\x1b[200~${text}\x1b[201~`, 'utf8');
    for (let i = 0; i < bytes.length; i += 4093) feed(bytes.subarray(i, i + 4093));
    expect(pastes).to.have.length(1);
    expect(pastes[0]!.text).to.equal(text);
    expect(keys).to.equal('');
    feed('\x1b[2', '00~a', 'b\x1b[', '201~', 'z');
    expect(pastes.map((p) => p.text)).to.deep.equal([text, 'ab']);
    expect(keys).to.equal('z');
  });

  it('does not hold back a lone Escape or an Alt key at the end of a read', () => {
    feed('\x1b');
    expect(keys).to.equal('\x1b');
    feed('\x1bb');
    expect(keys).to.equal('\x1b\x1bb');
  });

  it('cuts a paste longer than the limit and says so', () => {
    feed('\x1b[200~', 'y'.repeat(PASTE_LIMIT), 'more', '\x1b[201~');
    expect(pastes).to.have.length(1);
    expect(pastes[0]!.text.length).to.equal(PASTE_LIMIT);
    expect(pastes[0]!.truncated).to.equal(true);
  });

  it('stops reading when detached', () => {
    paste.detach();
    paste.keys.on('data', (b: Buffer) => { keys += b.toString('utf8'); });
    feed('late', '\x1b[200~pasted\x1b[201~');
    expect(keys).to.equal('');
    expect(pastes).to.deep.equal([]);
    expect(input.isPaused()).to.equal(true);
  });
});
