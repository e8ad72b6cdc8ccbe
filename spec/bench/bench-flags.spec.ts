/**
 * The bench scripts' command lines (bench/load-common.ts parseFlags, bench/run.ts RUN_FLAGS): an
 * unknown flag, a missing value or a bad number is refused (the script exits 2 before it starts
 * anything), --help / -h lists every flag, and bench/README.md names only flags that exist.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { Options, parseFlags, usage, type Flags } from '../../bench/load-common.js';
import { checkTargets, RUN_FLAGS, spreadRuns } from '../../bench/run.js';
import { WITNESS_FLAGS } from '../../bench/witness.js';

const FLAGS: Flags = {
  '--quick': { help: 'short' },
  '--peers': { arg: '10,50', numbers: true, help: 'room sizes' },
  '--docs-out': { arg: 'PATH', help: 'where' },
};

const parsed = (argv: string[], flags = FLAGS, positionals = 0): Options => {
  const r = parseFlags(argv, flags, positionals);
  if (!(r instanceof Options)) throw new Error(JSON.stringify(r));
  return r;
};

describe('parseFlags', () => {
  it('reads switches, values (also --flag=value) and number lists', () => {
    const o = parsed(['--quick', '--peers', '10,50', '--docs-out=/tmp/x.md']);
    expect(o.has('--quick')).to.equal(true);
    expect(o.numbers('--peers', '1')).to.deep.equal([10, 50]);
    expect(o.string('--docs-out')).to.equal('/tmp/x.md');
    expect(o.number('--nothing', 7)).to.equal(7);
    expect(parsed([]).has('--quick')).to.equal(false);
  });

  it('refuses an unknown flag, a missing value, a value for a switch and a bad number, in one line', () => {
    for (const [argv, error] of [
      [['--quik'], "Unknown option '--quik'"],
      [['--peers'], "Option '--peers <value>' argument missing"],
      [['--peers', '--quick'], "Option '--peers' argument is ambiguous"],
      [['--quick=yes'], "Option '--quick' does not take an argument"],
      [['--peers', '10,x'], "--peers takes numbers separated by commas, not '10,x'"],
      [['--peers', '10,,50'], "--peers takes numbers separated by commas, not '10,,50'"],
      [['stray'], "Unexpected argument 'stray'"],
      [['-x'], "Unknown option '-x'"],
    ] as const) {
      expect(parseFlags(argv, FLAGS), argv.join(' ')).to.deep.equal({ error });
    }
  });

  it('takes positionals only where the script has them', () => {
    expect(parsed(['50', '100,1000', '4'], {}, 3).positionals).to.deep.equal(['50', '100,1000', '4']);
    expect(parseFlags(['50', '100', '4', '9'], {}, 3)).to.deep.equal({ error: "unexpected argument '9'" });
  });

  it('answers --help and -h wherever they are, before any other check', () => {
    expect(parseFlags(['--bogus', '--help'], FLAGS)).to.deep.equal({ help: true });
    expect(parseFlags(['--quick', '-h'], FLAGS)).to.deep.equal({ help: true });
    expect(parseFlags(['--help'], FLAGS)).to.deep.equal({ help: true });
  });

  it('lists every flag with its argument in the usage', () => {
    const text = usage('npm run bench --', FLAGS);
    expect(text.split('\n')[0]).to.equal('usage: npm run bench -- [options]');
    expect(text).to.match(/--peers 10,50 +room sizes/);
    expect(text).to.match(/--help, -h +this text/);
  });
});

describe('npm run bench flags (RUN_FLAGS)', () => {
  it('refuses an unknown flag instead of starting the full bench', () => {
    expect(parseFlags(['--budget', '60', '--quik'], RUN_FLAGS)).to.deep.equal({ error: "Unknown option '--quik'" });
    expect(parseFlags(['--help'], RUN_FLAGS)).to.deep.equal({ help: true });
  });

  it('takes the lead run command and the quick run', () => {
    const o = parsed(['--budget', '1140', '--step-seconds', '1.5'], RUN_FLAGS);
    expect([o.number('--budget', 0), o.number('--step-seconds', 0)]).to.deep.equal([1140, 1.5]);
    expect(parsed(['--quick', '--targets', 'udpchat,batch', '--peers', '50', '--no-witness', '--no-docs'], RUN_FLAGS).has('--no-docs')).to.equal(true);
  });

  it('refuses an unknown system in --targets', () => {
    expect(checkTargets(parsed(['--targets', 'udpchat,batch'], RUN_FLAGS))).to.equal(undefined);
    expect(checkTargets(parsed(['--targets', 'udpchat,relais'], RUN_FLAGS))).to.match(/^--targets: unknown relais/);
  });

  it('names in --help, and bench/README.md names, exactly the flags it takes', () => {
    const help = usage('npm run bench --', RUN_FLAGS);
    for (const name of Object.keys(RUN_FLAGS)) expect(help).to.include(`  ${name}`);
    const readme = readFileSync(new URL('../../bench/README.md', import.meta.url), 'utf8');
    const block = /```\nnpm run build[^`]*npm run bench -- --render[^\n]*\n```/.exec(readme)?.[0] ?? '';
    const named = new Set(block.match(/--[a-z][a-z-]*/g));
    named.delete('--help');
    expect([...named].sort()).to.deep.equal(Object.keys(RUN_FLAGS).sort());
  });
});

describe('npm run bench rounds', () => {
  it('spreads the runs of a phase over the rounds: the first and the last, one run in the middle one', () => {
    expect([spreadRuns(2, 3), spreadRuns(1, 3), spreadRuns(3, 3), spreadRuns(4, 3)]).to.deep.equal([[1, 3], [2], [1, 2, 3], [1, 2, 2, 3]]);
    expect([spreadRuns(2, 1), spreadRuns(1, 1), spreadRuns(0, 3)]).to.deep.equal([[1, 1], [1], []]);
  });
});

describe('bench/witness.ts flags', () => {
  it('takes the documented ones and refuses others', () => {
    expect(parsed(['--stopped', '--stop-for', '60', '--peers', '10'], WITNESS_FLAGS).number('--stop-for', 9)).to.equal(60);
    expect(parseFlags(['--peer', '10'], WITNESS_FLAGS)).to.deep.equal({ error: "Unknown option '--peer'" });
    expect(parseFlags(['--rate', 'fast'], WITNESS_FLAGS)).to.deep.equal({ error: "--rate takes a number, not 'fast'" });
  });
});
