/**
 * The command line's one error funnel: every problem is one line on stderr and an exit code.
 * Runs main() in-process with captured streams (the real binary is covered in spec/e2e).
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { CliContext } from '../../lib/cli/context.js';
import { main } from '../../lib/cli/main.js';

function context(): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const stream = (): NodeJS.WriteStream => new PassThrough() as unknown as NodeJS.WriteStream;
  const ctx: CliContext = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    stdout: stream(),
    stderr: stream(),
    env: {},
    untilSignal: () => new Promise<void>(() => undefined),
  };
  return { ctx, out, err };
}

describe('main', () => {
  const usage: Array<[string, string[], RegExp]> = [
    ['no command', [], /Say which command/],
    ['an unknown command', ['frob'], /Unknown argument: frob/],
    ['an unknown flag', ['join', '--nick', 'bob', '--rate', '3'], /Unknown argument: rate/],
    ['a missing --nick', ['join'], /Missing required argument: nick/],
    ['a nickname with a space', ['join', '--nick', 'bo b'], /--nick: nickname contains a space/],
    ['a nickname with an escape character', ['join', '--nick', 'a\x1bb'], /--nick: nickname contains/],
    ['--nick twice', ['join', '--nick', 'a', '--nick', 'b'], /--nick was given more than once/],
    ['a room name with a space', ['join', '--nick', 'a', '--server', '127.0.0.1', '--room', '#a b'], /--room #a b: not a room name \(the name contains a space\)/],
    ['a bad server address', ['join', '--nick', 'bob', '--server', 'host:99999'], /bad server address/],
    ['a port out of range', ['serve', '--port', '70000'], /--port must be a whole number/],
    ['a non-numeric port', ['serve', '--port', 'abc'], /--port must be a whole number/],
    ['a negative history', ['serve', '--history', '-1'], /--history must be a whole number/],
    ['a zero rate', ['serve', '--rate', '0'], /--rate must be a positive number/],
    ['more rooms per user than a stream list can name', ['serve', '--max-rooms-per-user', '73'], /--max-rooms-per-user can be at most 72 /],
    ['--server without a value', ['join', '--nick', 'bob', '--server'], /--server needs a value/],
  ];
  for (const [what, argv, message] of usage) {
    it(`exits 2 with one line for ${what}`, async () => {
      const { ctx, err } = context();
      expect(await main(argv, ctx)).to.equal(2);
      expect(err[0]).to.match(/^udp-chat: /);
      expect(err[0]).to.match(message);
      expect(err.join('\n')).not.to.match(/\n\s+at /); // no stack trace
    });
  }

  it('exits 0 for --help and describes both commands', async () => {
    const { ctx } = context();
    const chunks: string[] = [];
    ctx.stdout.write = ((c: string) => chunks.push(String(c))) as never;
    const log = console.log;
    console.log = (...a: unknown[]) => chunks.push(a.join(' '));
    try {
      expect(await main(['--help'], ctx)).to.equal(0);
    } finally {
      console.log = log;
    }
    expect(chunks.join('')).to.match(/serve/).and.to.match(/join/);
  });

  // README promises every command and flag: each flag a command's --help lists is in README.md.
  for (const command of ['serve', 'join', 'discover', 'release-nick']) {
    it(`README.md documents every flag of ${command}`, async () => {
      const { ctx } = context();
      const chunks: string[] = [];
      const log = console.log;
      console.log = (...a: unknown[]) => chunks.push(a.join(' '));
      try {
        expect(await main([command, '--help'], ctx)).to.equal(0);
      } finally {
        console.log = log;
      }
      const flags = [...new Set([...chunks.join('\n').matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1] as string))]
        .filter((f) => f !== '--help' && f !== '--version');
      expect(flags.length, 'flags found in the help text').to.be.above(0);
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const missing = flags.filter((f) => !readme.includes(`\`${f}`) && !readme.includes(`\`--no-${f.slice(2)}`));
      expect(missing, `flags of ${command} missing from README.md`).to.deep.equal([]);
    });
  }

  for (const [argv, shows] of [[['-h'], /Examples:/], [['join', '-h'], /--nick/], [['serve', '-h'], /--port/]] as const) {
    it(`shows help for ${argv.join(' ')} and exits 0`, async () => {
      const { ctx, err } = context();
      const chunks: string[] = [];
      const log = console.log;
      console.log = (...a: unknown[]) => chunks.push(a.join(' '));
      try {
        expect(await main([...argv], ctx)).to.equal(0);
      } finally {
        console.log = log;
      }
      expect(chunks.join('')).to.match(shows);
      expect(err).to.deep.equal([]);
    });
  }

  const EXAMPLES = [
    'udp-chat serve',
    'udp-chat join --nick bob',
    'udp-chat join --nick bob --server 192.168.1.5',
    'echo done | udp-chat join --nick ci --server host',
  ];
  for (const columns of [100, 80, 60]) {
    it(`keeps every example command of --help whole on a line of its own at ${columns} columns`, async () => {
      const { ctx } = context();
      (ctx.stdout as { columns?: number }).columns = columns;
      const chunks: string[] = [];
      const log = console.log;
      console.log = (...a: unknown[]) => chunks.push(a.join(' '));
      try {
        await main(['--help'], ctx);
      } finally {
        console.log = log;
      }
      const text = chunks.join('\n');
      const examples = text.slice(text.indexOf('Examples:'), text.indexOf('Run `udp-chat <command>')).split('\n').slice(1).filter((l) => l.trim() !== '');
      for (const line of examples) {
        expect(line.length, `"${line}" fits`).to.be.at.most(columns);
        // A command (whole, maybe followed by its description) or a description indented past
        // the commands: never a command's tail at the left, where it reads as another example.
        const command = EXAMPLES.find((c) => line.startsWith(`  ${c}`) && (line.length === c.length + 2 || line[c.length + 2] === ' '));
        if (command === undefined) expect(line, 'a description line').to.match(/^ {6,}\S/u);
      }
      for (const c of EXAMPLES) expect(examples.some((l) => l.startsWith(`  ${c}`)), c).to.equal(true);
    });
  }

  it('exits 1 with one line when the port is in use', async () => {
    const blocker = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', resolve));
    try {
      const { ctx, err } = context();
      const port = String(blocker.address().port);
      expect(await main(['serve', '--host', '127.0.0.1', '--port', port], ctx)).to.equal(1);
      expect(err).to.deep.equal([`udp-chat: 127.0.0.1:${port} is already in use (another server runs there? --port 0 picks a free port)`]);
    } finally {
      blocker.close();
    }
  });
});
