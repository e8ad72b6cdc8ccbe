/**
 * The house rules that imports alone don't enforce (STYLE.md): protocol logic does no I/O and
 * has no hidden clock; dependencies point one way and never in a circle; nothing under lib/ exits
 * the process. eslint.config.js enforces the no-I/O rule on the same files (spec/support/sans-io.json)
 * with an AST; this spec is the textual net under it.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import SANS_IO_FILES from './support/sans-io.json' with { type: 'json' };

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

/** The files a pattern of sans-io.json names: 'dir/*.ts', 'dir/**\/*.ts' or one file's path. */
function matching(pattern: string): string[] {
  if (!pattern.includes('*')) return [pattern];
  const recursive = pattern.endsWith('/**/*.ts');
  const dir = pattern.replace(recursive ? /\/\*\*\/\*\.ts$/ : /\/\*\.ts$/, '');
  if (dir === pattern) throw new Error(`sans-io.json: unsupported pattern ${pattern}`);
  return files(dir).filter((f) => recursive || dirname(f) === dir);
}

const SANS_IO = SANS_IO_FILES.files.flatMap(matching).filter((f) => !SANS_IO_FILES.ignores.includes(f));

const FORBIDDEN: Array<[RegExp, string]> = [
  [/node:dgram|from 'dgram'/, 'sockets'],
  [/\bsetTimeout\b|\bsetInterval\b|\bsetImmediate\b/, 'timers'],
  [/Date\.now|new Date\(|performance\.now|process\.hrtime/, 'the clock'],
  [/\bprocess\./, 'the process'],
  [/\bconsole\./, 'console output'],
  [/node:fs|node:net/, 'file or network I/O'],
];

const IMPORT = /^\s*(?:import|export)\s[^'"]*?\bfrom\s+'(\.{1,2}\/[^']+)'|^\s*import\s+'(\.{1,2}\/[^']+)'/gm;

/** Relative imports of every file under lib/, type-only ones included: file → files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files('lib')) {
    const targets = [...source(file).matchAll(IMPORT)].map((m) => {
      const spec = (m[1] ?? m[2]) as string;
      return relative(ROOT, resolve(ROOT, dirname(file), spec.replace(/\.js$/, '.ts')));
    });
    graph.set(file, targets);
  }
  return graph;
}

/** Every cycle a depth-first walk meets, as "a → b → a". */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('architecture', () => {
  it('names sans-I/O files that exist, the protocol, server core and client core among them', () => {
    expect(SANS_IO).to.include.members(['lib/protocol/codec.ts', 'lib/server/server-core.ts', 'lib/client/client-core.ts']);
    for (const f of SANS_IO_FILES.ignores) expect(files(dirname(f)), f).to.include(f);
  });

  for (const file of SANS_IO) {
    it(`${file} does no I/O and reads no clock`, () => {
      const text = source(file);
      for (const [pattern, what] of FORBIDDEN) expect(pattern.test(text), `${file} uses ${what}`).to.equal(false);
    });
  }

  it('lib/protocol imports nothing from the other lib folders', () => {
    for (const [file, targets] of importGraph()) {
      if (file.startsWith('lib/protocol/')) for (const t of targets) expect(t, file).to.match(/^lib\/protocol\//);
    }
  });

  it('the front ends never import the codec', () => {
    for (const file of [...files('lib/tui'), ...files('lib/plain')]) {
      expect(source(file), file).not.to.match(/protocol\/(codec|codec-table|client-codecs|server-codecs|discovery-codec|entry-codec|wire)\.js/);
    }
  });

  it('nothing under lib/ calls process.exit', () => {
    for (const file of files('lib')) expect(source(file), file).not.to.match(/process\.exit\(/);
  });

  it('has no import cycle in lib/ (type-only imports count: they tie the files together all the same)', () => {
    const graph = importGraph();
    expect(graph.get('lib/server/server-core.ts'), 'the import graph sees imports').to.include('lib/server/session-table.ts');
    expect(importCycles(graph)).to.deep.equal([]);
  });

  it('finds a cycle of two files and one of three, and none in a chain (the check can fail)', () => {
    expect(importCycles(new Map([['a', ['b']], ['b', ['a']]]))).to.deep.equal(['a → b → a']);
    expect(importCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).to.deep.equal(['a → b → c → a']);
    expect(importCycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).to.deep.equal([]);
  });
});
