import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/state/atomic-file.js';
import { LockedError, acquireLock } from '../../lib/state/lock-file.js';
import { configHome, defaultStoreDir, ensurePrivateDir, stateHome, storeName } from '../../lib/state/paths.js';
import { REPO_ROOT } from '../support/processes.js';

describe('lib/state', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'udp-chat-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('paths', () => {
    it('follows XDG_STATE_HOME and XDG_CONFIG_HOME when they are absolute', () => {
      expect(stateHome({ XDG_STATE_HOME: '/x/state', HOME: '/h' })).to.equal('/x/state/udp-chat');
      expect(configHome({ XDG_CONFIG_HOME: '/x/conf', HOME: '/h' })).to.equal('/x/conf/udp-chat');
    });

    it('falls back to ~/.local/state and ~/.config, ignoring relative XDG values', () => {
      expect(stateHome({ HOME: '/h' })).to.equal('/h/.local/state/udp-chat');
      expect(stateHome({ XDG_STATE_HOME: 'rel', HOME: '/h' })).to.equal('/h/.local/state/udp-chat');
      expect(configHome({ XDG_CONFIG_HOME: '', HOME: '/h' })).to.equal('/h/.config/udp-chat');
    });

    it('names a store after the port, or after --name made safe as a file name', () => {
      expect(storeName({ port: 7777 })).to.equal('port-7777');
      expect(storeName({ name: 'Room 101/a', port: 7777 })).to.equal('Room_101_a');
      expect(storeName({ name: '..', port: 1 })).to.equal('_..');
      expect(storeName({ name: 'Класс', port: 1 })).to.equal('Класс');
      expect(() => storeName({ name: '  ', port: 1 })).to.throw('--name must not be empty');
      expect(defaultStoreDir({ port: 7777 }, { HOME: '/h' })).to.equal('/h/.local/state/udp-chat/servers/port-7777');
    });

    it('creates private directories (0700)', () => {
      const d = join(dir, 'a', 'b');
      ensurePrivateDir(d);
      expect(statSync(d).mode & 0o777).to.equal(0o700);
    });
  });

  describe('writeFileAtomic', () => {
    it('replaces the file with mode 0600 and leaves no temporary file behind', async () => {
      const p = join(dir, 'f.json');
      writeFileSync(p, 'old');
      await writeFileAtomic(p, 'new content');
      expect(readFileSync(p, 'utf8')).to.equal('new content');
      expect(statSync(p).mode & 0o777).to.equal(0o600);
      expect(readdirSync(dir)).to.deep.equal(['f.json']);
    });
  });

  describe('acquireLock', () => {
    it('refuses a second holder while the first lives, and frees the lock on release', () => {
      const lock = acquireLock(dir);
      expect(readFileSync(join(dir, 'LOCK'), 'utf8')).to.equal(`${process.pid}\n`);
      expect(statSync(join(dir, 'LOCK')).mode & 0o777).to.equal(0o600);
      // Another live process (our parent) holds it: pretend to be someone else asking.
      expect(() => acquireLock(dir, process.pid + 1)).to.throw(LockedError, `is in use by another udp-chat process (pid ${process.pid})`);
      lock.release();
      expect(readdirSync(dir)).to.deep.equal([]);
      acquireLock(dir).release();
    });

    it('takes over a lock left by a process that no longer runs', () => {
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      writeFileSync(join(dir, 'LOCK'), `${dead}\n`);
      const lock = acquireLock(dir);
      expect(readFileSync(join(dir, 'LOCK'), 'utf8')).to.equal(`${process.pid}\n`);
      lock.release();
    });

    it('takes over an empty or damaged lock file', () => {
      writeFileSync(join(dir, 'LOCK'), 'garbage');
      acquireLock(dir).release();
    });

    it('is held by one process at a time while three take and release it as fast as they can', async function () {
      // The old lock (O_EXCL, then the PID written) let a process that read the empty file of one
      // starting that instant take it for debris: 1–7 overlaps per process in every 2 s run.
      this.timeout(30_000);
      const contender = join(REPO_ROOT, 'spec/state/lock-contender.ts');
      const runs = [0, 1, 2].map(() => {
        const child = spawn(process.execPath, ['--import=tsx', contender, dir, '2000'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (b: Buffer) => (out += b.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        return new Promise<{ held: number; refused: number; overlaps: number }>((resolve, reject) =>
          child.on('close', (code) => {
            clearTimeout(timer);
            if (code === 0) resolve(JSON.parse(out) as { held: number; refused: number; overlaps: number });
            else reject(new Error(`lock contender exited with ${code}: ${out}`));
          }),
        );
      });
      const results = await Promise.all(runs);
      for (const r of results) expect(r.held, JSON.stringify(results)).to.be.greaterThan(10);
      expect(results.map((r) => r.overlaps), 'times a process held the lock while another did').to.deep.equal([0, 0, 0]);
      expect(readdirSync(dir), 'no lock, draft or marker left behind').to.deep.equal([]);
    });
  });
});
