import { expect } from 'chai';
import { captureStderr } from '../../lib/tui/stderr-guard.js';

describe('captureStderr', () => {
  const original = process.stderr.write;
  let seen: string[];

  beforeEach(() => {
    seen = [];
    process.stderr.write = ((chunk: string | Uint8Array) => {
      seen.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
  });

  afterEach(() => {
    process.stderr.write = original;
  });

  it('holds back writes and console.error while captured, then replays them', () => {
    const guard = captureStderr();
    process.stderr.write('one\n');
    console.error('two');
    expect(seen).to.deep.equal([]);
    guard.release({ replay: true });
    expect(seen.join('')).to.equal('one\ntwo\n');
    process.stderr.write('after\n');
    expect(seen.at(-1)).to.equal('after\n');
  });

  it('forgets what was written before discardSoFar, and everything without replay', () => {
    const guard = captureStderr();
    process.stderr.write('noise\n');
    guard.discardSoFar();
    process.stderr.write('kept\n');
    guard.release({ replay: true });
    expect(seen.join('')).to.equal('kept\n');
    const quiet = captureStderr();
    process.stderr.write('dropped\n');
    quiet.release({ replay: false });
    expect(seen.join('')).to.equal('kept\n');
  });

  it('calls write callbacks so writers do not hang', async () => {
    const guard = captureStderr();
    await new Promise<void>((resolve) => process.stderr.write('x', () => resolve()));
    guard.release({ replay: false });
  });
});
