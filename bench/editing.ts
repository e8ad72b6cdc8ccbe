/**
 * Editing cost in the full-screen client's input line: time of one keystroke (insert a character,
 * then lay the line out for an 80-column screen) against the length of the draft, and of one
 * paste (insert + layout) against its length. A keystroke should cost the same whatever the
 * draft's length; a paste time linear in its length.
 *
 *   npm run bench:editing            (add --json for machine-readable output)
 *
 * Numbers on a shared machine are noisy: compare runs made together.
 */
import { InputLine } from '../lib/tui/input-line.js';
import { percentile } from './histogram.js';
import { cli } from './load-common.js';

const WIDTH = 78;
const SAMPLE = 'Lorem ipsum dolor sit amet, Привет мир 👋 你好 e\u0301 ';

function draftOf(length: number): string {
  let s = '';
  while (s.length < length) s += SAMPLE;
  return s.slice(0, length);
}

/** Keystrokes typed in the middle and at the end of a draft of `length` characters. */
function keystrokes(length: number, count = 200): { p50: number; p99: number } {
  const line = new InputLine();
  line.set(draftOf(length));
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i === count / 2) line.set(line.text, Math.floor(line.text.length / 2));
    const t = performance.now();
    line.insert('x');
    line.view(WIDTH);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

function paste(length: number): number {
  const line = new InputLine();
  const text = draftOf(length);
  const t = performance.now();
  line.insert(text);
  line.view(WIDTH);
  return performance.now() - t;
}

const json = cli('npm run bench:editing --', { '--json': { help: 'JSON instead of the table' } }).has('--json');
const rows: Array<Record<string, number>> = [];
keystrokes(1000, 50); // warm up
for (const length of [0, 1_000, 2_000, 5_000, 20_000, 100_000]) {
  const k = keystrokes(length);
  rows.push({ draftChars: length, keystrokeP50Ms: k.p50, keystrokeP99Ms: k.p99, pasteMs: paste(length) });
}
if (json) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  console.log('draft chars | keystroke p50 ms | keystroke p99 ms | paste of that many chars, ms');
  for (const r of rows) {
    console.log(`${String(r.draftChars).padStart(11)} | ${r.keystrokeP50Ms!.toFixed(3).padStart(16)} | ${r.keystrokeP99Ms!.toFixed(3).padStart(16)} | ${r.pasteMs!.toFixed(3).padStart(8)}`);
  }
}
