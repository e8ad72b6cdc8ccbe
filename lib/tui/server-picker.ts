/**
 * A full-screen list to choose one of several servers found on the network (`join` without
 * `--server`): arrow keys (or j/k) and Enter choose, Escape, q or Ctrl-C cancel. The lines are
 * already escaped for the terminal by the caller.
 */
import blessed from 'blessed';

export interface PickerOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  terminal?: string;
}

/** Shows `lines` and resolves the index chosen, or undefined if cancelled. Restores the terminal. */
export function pickServer(lines: readonly string[], options: PickerOptions = {}): Promise<number | undefined> {
  const screen = blessed.screen({
    input: options.input as unknown as blessed.Widgets.IScreenOptions['input'],
    output: options.output as unknown as blessed.Widgets.IScreenOptions['output'],
    terminal: options.terminal,
    fullUnicode: true,
    smartCSR: true,
    warnings: false,
    title: 'udp-chat: choose a server',
  } as blessed.Widgets.IScreenOptions);
  const list = blessed.list({
    parent: screen,
    label: ' Several udp-chat servers answered: choose one (↑/↓, Enter; Esc to cancel) ',
    border: { type: 'line' },
    top: 0,
    left: 0,
    width: '100%',
    height: '100%',
    tags: false,
    keys: true,
    vi: true,
    mouse: false,
    items: lines.map((l) => ` ${l} `),
    style: { selected: { inverse: true }, border: { fg: 'grey' } },
  });
  return new Promise((resolve) => {
    let done = false;
    const finish = (index: number | undefined): void => {
      if (done) return;
      done = true;
      screen.destroy();
      resolve(index);
    };
    list.on('select', (_item, index) => finish(index));
    screen.key(['escape', 'q', 'C-c'], () => finish(undefined));
    list.focus();
    list.select(0);
    screen.render();
  });
}
