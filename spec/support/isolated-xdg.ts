/**
 * Imported for its effect: this spec process and every child it starts keep their keys, known
 * servers and stores in a directory of this run (XDG_CONFIG_HOME, XDG_STATE_HOME), never in the
 * user's own ~/.config and ~/.local/state; removed when the process exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'udp-chat-spec-xdg-'));
process.env['XDG_CONFIG_HOME'] = join(root, 'config');
process.env['XDG_STATE_HOME'] = join(root, 'state');
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

/** The directory this run uses for XDG_CONFIG_HOME and XDG_STATE_HOME. */
export const XDG_ROOT = root;
