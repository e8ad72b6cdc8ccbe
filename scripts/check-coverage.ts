/**
 * The coverage gate of `npm test`: reads the summary c8 wrote (.tmp/coverage/coverage-summary.json)
 * and fails when line coverage falls under a floor, for the whole of lib/ and for each folder that
 * holds protocol logic (the codec, the server and the client cores and their sub-machines).
 * Prints one line per area either way. Raise a floor when coverage rises; never lower one to pass.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Area → least percentage of lines covered. `lib/` is the whole tree. */
const FLOORS: Record<string, number> = {
  'lib/': 95,
  'lib/protocol/': 97,
  'lib/server/': 94,
  'lib/client/': 92,
};

interface Totals {
  lines: { total: number; covered: number };
}

const ROOT = join(import.meta.dirname, '..');
const summary = JSON.parse(readFileSync(join(ROOT, '.tmp/coverage/coverage-summary.json'), 'utf8')) as Record<string, Totals>;

let failed = false;
for (const [area, floor] of Object.entries(FLOORS)) {
  let total = 0;
  let covered = 0;
  for (const [file, t] of Object.entries(summary)) {
    if (file === 'total' || !relative(ROOT, file).startsWith(area)) continue;
    total += t.lines.total;
    covered += t.lines.covered;
  }
  const pct = total === 0 ? 0 : (100 * covered) / total;
  const ok = total > 0 && pct >= floor;
  if (!ok) failed = true;
  console.log(`coverage ${ok ? 'ok  ' : 'LOW '} ${area.padEnd(14)} ${pct.toFixed(2)}% of ${total} lines (floor ${floor}%)`);
}
if (failed) {
  console.error('coverage: below a floor (scripts/check-coverage.ts); add specs for what is not run');
  process.exitCode = 1;
}
// The closing line of the mocha run, last, where CI and people look for it.
const closing = process.env.MOCHA_SUMMARY_FILE;
if (closing !== undefined && existsSync(closing)) process.stdout.write(readFileSync(closing, 'utf8'));
