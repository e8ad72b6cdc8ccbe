/**
 * How the user can run udp-chat again from their shell: `udp-chat` if that name on their PATH is
 * this very program (installed globally or linked), else `npx udp-chat` (run by npx, from a
 * project's node_modules or from a clone).
 */
import { realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

function real(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? realpathSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/** `udp-chat` or `npx udp-chat`, for the script at `script` (process.argv[1]) and this environment. */
export function commandPrefix(env: NodeJS.ProcessEnv, script: string | undefined): string {
  // npx and `npm exec` put their own .bin folders on PATH for the run: those say nothing about the user's shell.
  if (env.npm_command === 'exec' || script === undefined) return 'npx udp-chat';
  const self = real(script);
  if (self === undefined) return 'npx udp-chat';
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '' || /node_modules[\\/]\.bin|[\\/]_npx[\\/]/.test(dir)) continue;
    if (real(join(dir, 'udp-chat')) === self) return 'udp-chat';
  }
  return 'npx udp-chat';
}
