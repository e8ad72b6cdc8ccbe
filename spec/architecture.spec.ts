/**
 * The house rules that imports alone don't enforce (STYLE.md): protocol logic does no I/O and
 * has no hidden clock; dependencies point one way; nothing under lib/ exits the process.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

function source(file: string): string {
  // Comments may mention what the code must not do.
  return readFileSync(join(ROOT, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

const SANS_IO = [
  ...files('lib/protocol'),
  'lib/server/server-core.ts',
  'lib/server/join-handler.ts',
  'lib/server/room-log.ts',
  'lib/server/staged-log.ts',
  'lib/server/restore-state.ts',
  'lib/server/session-table.ts',
  'lib/server/token-bucket.ts',
  'lib/server/pack-entries.ts',
  'lib/server/roster.ts',
  'lib/server/cookie.ts',
  'lib/server/discovery-responder.ts',
  'lib/discovery/mdns-records.ts',
  'lib/client/client-core.ts',
  'lib/client/outbox.ts',
  'lib/client/room-stream.ts',
  'lib/client/roster-state.ts',
  'lib/client/rtt-estimator.ts',
];

const FORBIDDEN: Array<[RegExp, string]> = [
  [/node:dgram|from 'dgram'/, 'sockets'],
  [/\bsetTimeout\b|\bsetInterval\b|\bsetImmediate\b/, 'timers'],
  [/Date\.now|new Date\(|performance\.now|process\.hrtime/, 'the clock'],
  [/\bprocess\./, 'the process'],
  [/\bconsole\./, 'console output'],
  [/node:fs|node:net/, 'file or network I/O'],
];

describe('architecture', () => {
  for (const file of SANS_IO) {
    it(`${file} does no I/O and reads no clock`, () => {
      const text = source(file);
      for (const [pattern, what] of FORBIDDEN) expect(pattern.test(text), `${file} uses ${what}`).to.equal(false);
    });
  }

  it('lib/protocol imports nothing from the other lib folders', () => {
    for (const file of files('lib/protocol')) expect(source(file), file).not.to.match(/from '\.\.\//);
  });

  it('the front ends never import the codec', () => {
    for (const file of [...files('lib/tui'), ...files('lib/plain')]) {
      expect(source(file), file).not.to.match(/protocol\/(codec|entry-codec|wire)\.js/);
    }
  });

  it('nothing under lib/ calls process.exit', () => {
    for (const file of files('lib')) expect(source(file), file).not.to.match(/process\.exit\(/);
  });
});
