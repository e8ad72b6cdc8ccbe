/**
 * An outside witness that the mDNS announcement is standard DNS-SD: Avahi (the Linux mDNS stack)
 * in one namespace browses and resolves the service a `udp-chat serve` announces in another, and
 * sees it go when the server stops. Avahi runs on a private D-Bus (its own config and socket in a
 * temporary directory), so nothing of the host's is touched. Needs root, iproute2, dbus-daemon,
 * avahi-daemon and avahi-browse (.ci/run installs them); without them the spec FAILS saying so.
 */
import { expect } from 'chai';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLan, type Lan, type LanHost } from '../support/netns.js';
import { type CliProcess, cleanupAll, runCli } from '../support/processes.js';

const WAIT_MS = 10_000;

/** A background program whose output lines are kept. */
class Program {
  readonly lines: string[] = [];
  readonly child: ChildProcess;
  private readonly closed: Promise<void>;

  constructor(argv: readonly string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(argv[0] as string, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        this.lines.push(...parts);
      });
    }
    this.closed = new Promise((resolve) => this.child.once('close', () => resolve()));
  }

  async waitFor(pattern: RegExp, what: string): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const line = this.lines.find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`${what}: no line matching ${pattern}; output:\n${this.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.closed;
    clearTimeout(killer);
  }
}

function missingTools(): string | undefined {
  for (const tool of ['dbus-daemon', 'avahi-daemon', 'avahi-browse']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is missing: apt-get install avahi-daemon avahi-utils dbus (.ci/run does)`;
    }
  }
  return undefined;
}

describe('the mDNS announcement seen by avahi-browse', function () {
  this.timeout(40_000);
  let lan: Lan | undefined;
  let dir: string | undefined;
  const programs: Program[] = [];
  let env: NodeJS.ProcessEnv = {};

  before(async function () {
    const missing = missingTools();
    if (missing !== undefined) throw new Error(missing);
    lan = createLan(2);
    dir = mkdtempSync(join(tmpdir(), 'udpchat-avahi-'));
    const bus = join(dir, 'bus');
    writeFileSync(join(dir, 'bus.conf'), [
      '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">',
      `<busconfig><type>system</type><listen>unix:path=${bus}</listen><auth>EXTERNAL</auth>`,
      '<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>',
    ].join('\n'));
    const witness = lan.hosts[1] as LanHost;
    writeFileSync(join(dir, 'avahi.conf'), [
      '[server]', 'host-name=udpchat-witness', 'use-ipv4=yes', 'use-ipv6=no', `allow-interfaces=${witness.dev}`, 'enable-dbus=yes',
      '[wide-area]', 'enable-wide-area=no',
      '[publish]', 'publish-hinfo=no', 'publish-workstation=no',
    ].join('\n'));
    env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${bus}` };
    const dbus = new Program(['dbus-daemon', `--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--nopidfile', '--print-address'], env);
    programs.push(dbus);
    await dbus.waitFor(/^unix:path=/, 'dbus-daemon');
    mkdirSync('/run/avahi-daemon', { recursive: true });
    // avahi-daemon's pid file is /run/avahi-daemon/pid, whatever its config: in a mount namespace of
    // its own with a private tmpfs there, two runs of this spec at once (two checkouts testing on one
    // machine) do not see each other's ("Daemon already running").
    const daemon = ['avahi-daemon', '-f', join(dir, 'avahi.conf'), '--no-drop-root', '--no-chroot', '--no-rlimits', '--no-proc-title'];
    const privateRun = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /run/avahi-daemon && exec "$@"', 'sh', ...daemon];
    const avahi = new Program(lan.argv(witness, privateRun), env);
    programs.push(avahi);
    await avahi.waitFor(/Server startup complete/, 'avahi-daemon');
  });

  after(async function () {
    for (const p of programs.reverse()) await p.stop();
    lan?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async function () {
    await cleanupAll({ dumpOutput: this.currentTest?.state === 'failed' });
  });

  it('browses and resolves the service (name, host, address, port, TXT), and removes it on goodbye', async () => {
    const [server, witness] = lan?.hosts as [LanHost, LanHost];
    const browsing = new Program((lan as Lan).argv(witness, ['avahi-browse', '-p', '_udp-chat._udp']), env);
    programs.push(browsing);
    const serve: CliProcess = runCli('server', ['serve', '--no-persist', '--name', 'Lab PC ☕'], (lan as Lan).argv(server, []));
    await serve.waitForLine(/announced on the local network as "Lab PC ☕"/, WAIT_MS, { stream: 'stderr' });
    // avahi-browse -p escapes the instance name DNS-style: space \032, UTF-8 bytes in decimal.
    const name = 'Lab\\032PC\\032\\226\\152\\149';
    await browsing.waitFor(new RegExp(`^\\+;${witness.dev};IPv4;${name.replace(/\\/g, '\\\\')};_udp-chat\\._udp;local$`), 'avahi-browse (new)');
    const resolve = execFileSync('ip', ['netns', 'exec', witness.ns, 'avahi-browse', '-rtp', '_udp-chat._udp'], { env, encoding: 'utf8', timeout: WAIT_MS });
    const resolved = resolve.split('\n').filter((l) => l.startsWith('='));
    expect(resolved, resolve).to.have.length(1);
    const fields = (resolved[0] as string).split(';');
    expect(fields.slice(1, 6)).to.deep.equal([witness.dev, 'IPv4', name, '_udp-chat._udp', 'local']);
    expect(fields[6]).to.match(/^udp-chat-[0-9a-f]{6}\.local$/);
    expect(fields.slice(7, 9)).to.deep.equal([server.address, '7777']);
    expect(fields[9]?.split(' ').sort()).to.deep.equal(['"pass=0"', '"users=0"', '"v=1"']);
    serve.kill('SIGTERM');
    expect((await serve.exitCode(WAIT_MS)).code).to.equal(0);
    await browsing.waitFor(new RegExp(`^-;${witness.dev};IPv4;${name.replace(/\\/g, '\\\\')};`), 'avahi-browse (removed by the goodbye)');
  });
});
