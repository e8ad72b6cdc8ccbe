/**
 * A process that takes and releases the lock of `dir` over and over for `ms` milliseconds, and checks
 * while it holds it that nobody else does (a marker file created with O_EXCL). Prints one JSON line:
 * how often it held the lock, was refused, and found the lock held by someone else too.
 * Used by state.spec.ts, two at once: `node --import=tsx spec/state/lock-contender.ts DIR MS`.
 */
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LockedError, acquireLock } from '../../lib/state/lock-file.js';

const [dir, ms] = [process.argv[2] ?? '', Number(process.argv[3] ?? '1000')];
const marker = join(dir, 'HELD');
const until = Date.now() + ms;
let held = 0;
let refused = 0;
let overlaps = 0;
while (Date.now() < until) {
  let lock;
  try {
    lock = acquireLock(dir);
  } catch (err) {
    if (!(err instanceof LockedError)) throw err;
    refused++;
    continue;
  }
  held++;
  let mine = true;
  try {
    closeSync(openSync(marker, 'wx'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    overlaps++;
    mine = false;
  }
  if (mine) unlinkSync(marker);
  lock.release();
}
process.stdout.write(`${JSON.stringify({ held, refused, overlaps })}\n`);
