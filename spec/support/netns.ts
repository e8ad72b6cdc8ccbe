/**
 * A small LAN of network namespaces for discovery tests (TESTING.md "Tests that need more than
 * 127.0.0.1"): a hub namespace holding a bridge, and N host namespaces, each joined to the bridge
 * by a veth pair, with an address from a private /24 that exists only inside these namespaces, a
 * multicast route (mDNS) and lo up. Names are unique per run; `destroy()` deletes everything.
 * Needs root and iproute2: without them `createLan` throws an Error that says so (never a skip).
 */
import { execFileSync } from 'node:child_process';

export interface LanHost {
  /** Namespace name (for `ip netns exec`). */
  ns: string;
  address: string;
  /** The host's interface inside its namespace. */
  dev: string;
}

export interface Lan {
  hosts: LanHost[];
  /** The subnet's broadcast address. */
  broadcast: string;
  /** Runs a command in a host's namespace: the argv to spawn. */
  argv(host: LanHost, command: readonly string[]): string[];
  destroy(): void;
}

let counter = 0;

function ip(args: readonly string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

/** Why namespaces cannot be made here, or undefined if they can. */
export function netnsProblem(): string | undefined {
  if (process.getuid?.() !== 0) return 'discovery across network namespaces needs root (ip netns add); run the suite as root, as CI does';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return "the 'ip' command (iproute2) is missing: install it (apt-get install iproute2; .ci/run does)";
  }
  return undefined;
}

/** Creates a LAN of `n` hosts. Throws with a clear reason if it cannot (cleaning up what it made). */
export function createLan(n: number): Lan {
  const problem = netnsProblem();
  if (problem !== undefined) throw new Error(problem);
  const id = `${process.pid % 100000}${(counter++).toString(36)}`;
  // 10.231.x.0/24: a private range chosen per run, used only inside these namespaces.
  const third = (process.pid + counter * 7) % 250;
  const prefix = `10.231.${third}`;
  const hub = `uchub${id}`;
  const made: string[] = [];
  const hosts: LanHost[] = [];
  const destroy = (): void => {
    for (const ns of made.reverse()) {
      try {
        ip(['netns', 'del', ns]);
      } catch {
        // Already gone; deleting a namespace also deletes its veth ends.
      }
    }
    made.length = 0;
  };
  try {
    ip(['netns', 'add', hub]);
    made.push(hub);
    ip(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', hub, 'link', 'set', 'br0', 'up']);
    for (let i = 0; i < n; i++) {
      const ns = `uch${id}n${i}`;
      ip(['netns', 'add', ns]);
      made.push(ns);
      const outer = `ucv${id}h${i}`;
      const inner = `ucv${id}x${i}`;
      ip(['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
      ip(['link', 'set', outer, 'netns', hub]);
      ip(['link', 'set', inner, 'netns', ns]);
      ip(['-n', hub, 'link', 'set', outer, 'master', 'br0']);
      ip(['-n', hub, 'link', 'set', outer, 'up']);
      const address = `${prefix}.${i + 1}`;
      ip(['-n', ns, 'addr', 'add', `${address}/24`, 'broadcast', `${prefix}.255`, 'dev', inner]);
      ip(['-n', ns, 'link', 'set', inner, 'up']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', inner]);
      hosts.push({ ns, address, dev: inner });
    }
  } catch (err) {
    destroy();
    const detail = err instanceof Error && 'stderr' in err ? String((err as { stderr: unknown }).stderr).trim() : String(err);
    throw new Error(`cannot create network namespaces for the discovery test: ${detail}`);
  }
  return {
    hosts,
    broadcast: `${prefix}.255`,
    argv: (host, command) => ['ip', 'netns', 'exec', host.ns, ...command],
    destroy,
  };
}
