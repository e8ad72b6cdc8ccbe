/**
 * The blessed screen and its four parts: message log (left), peer list (right), status line and
 * input line (bottom). It only draws what the view model holds; keys and session events are
 * handled in tui-app.ts (with input-controller.ts, session-feed.ts, join-flow.ts). Renders are
 * coalesced (frame-pacer.ts): a key press is drawn on the next tick, anything else at a bounded
 * number of frames per second however many messages arrive.
 */
import blessed from 'blessed';
import { Painter, installWidthHook, boundCellWidths, type Region } from './cells.js';
import { paintedBox } from './painted-box.js';
import { clipSpans, styledGlyphs, type Row, type Style } from './styled-text.js';
import { LINE_BREAK_GLYPH, type InputLine } from './input-line.js';
import type { MessageLog } from './message-log.js';
import { nickColour } from './nick-colour.js';
import { escapeForTerminal } from '../client/presentation.js';
import { displayWidth, truncate } from './text-width.js';
import type { BufferList } from './buffers.js';
import { activitySpans, bufferRows } from './buffer-list.js';
import { STATUS_STYLE, type StatusView, statusSpans } from './status.js';
import { FramePacer, frameInterval } from './frame-pacer.js';

export interface ViewModel {
  /** The log of the buffer shown. */
  log: MessageLog;
  input: InputLine;
  prompt: string;
  /** The members of the buffer shown. */
  peers: readonly string[];
  /** Members shown as away (dimmed). */
  away?: ReadonlySet<string>;
  status: StatusView;
  /** Rooms and private conversations: with more than one, a buffer list and the activity. */
  buffers?: BufferList;
  /** The title row above the log (buffer and topic; already escaped), when there is one. */
  title?: string | undefined;
}

export interface ScreenOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  terminal: string;
  /** Mouse wheel over the log: rows to scroll (negative: up). Enables mouse reporting. */
  onWheel?: (rows: number) => void;
  /** Called before each frame is laid out: the place to bring the view model up to date. */
  beforeFrame?: () => void;
}

const PROMPT_LINE_STYLE: Style = { fg: 0, bg: 11, bold: true };
const LINE_BREAK_STYLE: Style = { fg: 244 };
const OFFLINE_PEER_STYLE: Style = { fg: 244 };
const AWAY_PEER_STYLE: Style = { fg: 244 };
const TITLE_STYLE: Style = { fg: 252, bg: 236 };
const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';
const HINT_STYLE: Style = { fg: 0, bg: 11, bold: true };
const PROMPT_STYLE: Style = { fg: 6, bold: true };
const INPUT_HEIGHT = 3;
const STATUS_HEIGHT = 1;

export class ChatScreen {
  readonly screen: blessed.Widgets.Screen;
  private readonly painter: Painter;
  private readonly logBox: blessed.Widgets.BoxElement;
  private readonly peersBox: blessed.Widgets.BoxElement;
  private readonly buffersBox: blessed.Widgets.BoxElement;
  private readonly statusBox: blessed.Widgets.BoxElement;
  private readonly inputBox: blessed.Widgets.BoxElement;
  private readonly pacer = new FramePacer(() => this.frame());
  /** The log and its `added` count at the last frame. */
  private lastLog: { log: MessageLog | undefined; added: number } = { log: undefined, added: 0 };
  private readonly output: NodeJS.WritableStream;
  private readonly onExit = (): void => {
    // The process is ending without destroy() (a crash): give the terminal its paste mode back.
    this.output.write(BRACKETED_PASTE_OFF);
  };
  private cursor: { x: number; y: number } | undefined;
  private logRegion: Region = { x: 0, y: 0, width: 1, height: 1 };
  private destroyed = false;

  constructor(private readonly model: ViewModel, options: ScreenOptions) {
    installWidthHook();
    this.output = options.output;
    this.screen = blessed.screen({
      input: options.input as unknown as blessed.Widgets.IScreenOptions['input'],
      output: options.output as unknown as blessed.Widgets.IScreenOptions['output'],
      terminal: options.terminal,
      fullUnicode: true,
      forceUnicode: true,
      smartCSR: false,
      useBCE: false,
      dockBorders: false,
      autoPadding: true,
      warnings: false,
      ignoreLocked: ['C-c'],
    } as blessed.Widgets.IScreenOptions);
    this.painter = new Painter(this.screen);
    const border = { type: 'line' } as const;
    const frame = { border: { fg: 240 } };
    this.logBox = paintedBox({ parent: this.screen, border, style: frame, label: ' udp-chat ' }, (r) => this.paintLog(r));
    this.peersBox = paintedBox({ parent: this.screen, border, style: frame, label: ' online ' }, (r) => this.paintPeers(r));
    this.buffersBox = paintedBox({ parent: this.screen, border, style: frame, label: ' buffers ' }, (r) => this.paintBuffers(r));
    this.buffersBox.hide();
    this.statusBox = paintedBox({ parent: this.screen }, (r) => this.paintStatus(r));
    this.inputBox = paintedBox({ parent: this.screen, border, style: frame }, (r) => this.paintInput(r));
    const beforeFrame = options.beforeFrame;
    this.screen.on('prerender', () => {
      beforeFrame?.();
      boundCellWidths();
      this.layout();
    });
    this.screen.on('render', () => this.placeCursor());
    const onWheel = options.onWheel;
    if (onWheel !== undefined) {
      this.logBox.on('wheelup', () => onWheel(-3));
      this.logBox.on('wheeldown', () => onWheel(3));
      this.logBox.enableMouse();
    }
    // Pasted text arrives bracketed, as one paste (paste-input.ts), not as key presses.
    this.output.write(BRACKETED_PASTE_ON);
    process.on('exit', this.onExit);
  }

  /** Rows the log shows (for paging). */
  get logPage(): { width: number; height: number } {
    return { width: this.logRegion.width, height: this.logRegion.height };
  }

  /**
   * Queues a frame: right after the current callback when `urgent` (the user pressed a key), else
   * no sooner than FRAME_MS after the last frame (frame-pacer.ts). Many calls before it is drawn
   * give one frame.
   */
  render(urgent = false): void {
    if (!this.destroyed) this.pacer.request(urgent);
  }

  /** Draws a frame; the shortest time to the next (frameInterval). */
  private frame(): number {
    this.screen.render();
    const log = this.model.log;
    const arrived = log === this.lastLog.log ? log.added - this.lastLog.added : 0;
    this.lastLog = { log, added: log.added };
    return frameInterval(arrived, this.logRegion.height);
  }

  /** Redraws every cell (Ctrl-L, or after the terminal was disturbed). */
  redraw(): void {
    if (this.destroyed) return;
    (this.screen as unknown as { realloc(): void }).realloc();
    this.screen.render();
  }

  bell(): void {
    if (!this.destroyed) this.screen.program.bell();
  }

  /** Leaves the alternate screen, shows the cursor and releases the input. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pacer.stop();
    process.off('exit', this.onExit);
    this.output.write(BRACKETED_PASTE_OFF);
    this.screen.program.showCursor();
    this.screen.destroy();
  }

  private layout(): void {
    const cols = this.screen.width as number;
    const rows = this.screen.height as number;
    const logHeight = Math.max(2, rows - INPUT_HEIGHT - STATUS_HEIGHT);
    const peersWidth = cols >= 60 ? Math.min(24, Math.max(16, Math.floor(cols / 5))) : 0;
    // Offline, the list is the last one known (and greyed): it does not claim who is online now.
    const online = `${this.model.peers.length} ${this.model.status.offline === true ? 'last known' : 'online'}`;
    place(this.logBox, 0, 0, cols - peersWidth, logHeight);
    // Without room for the peer list, the log's label carries the number online.
    setLabel(this.logBox, peersWidth > 0 ? ' udp-chat ' : ` udp-chat (${online}) `, ' udp-chat ');
    // With several buffers, their list sits above the members (at most half the height).
    const buffers = this.model.buffers?.all.length ?? 1;
    const listHeight = peersWidth > 0 && buffers > 1 ? Math.min(buffers + 2, Math.floor(logHeight / 2)) : 0;
    if (listHeight >= 3) {
      this.buffersBox.show();
      place(this.buffersBox, cols - peersWidth, 0, peersWidth, listHeight);
      setLabel(this.buffersBox, ' buffers ', '');
    } else {
      this.buffersBox.hide();
    }
    const listRows = listHeight >= 3 ? listHeight : 0;
    if (peersWidth > 0) {
      this.peersBox.show();
      place(this.peersBox, cols - peersWidth, listRows, peersWidth, logHeight - listRows);
      setLabel(this.peersBox, ` ${online} `, ` ${this.model.peers.length} `);
    } else {
      this.peersBox.hide();
    }
    place(this.statusBox, 0, logHeight, cols, STATUS_HEIGHT);
    place(this.inputBox, 0, logHeight + STATUS_HEIGHT, cols, INPUT_HEIGHT);
  }

  private paintLog(whole: Region): void {
    // The title row (buffer and topic) takes the log's first row.
    const title = this.model.title;
    const r = title === undefined || whole.height < 4 ? whole : { ...whole, y: whole.y + 1, height: whole.height - 1 };
    if (r !== whole && title !== undefined) {
      this.painter.paintRow(whole.x, whole.y, whole.width, clipSpans([{ text: truncate(title, whole.width), style: TITLE_STYLE }], whole.width), TITLE_STYLE);
    }
    this.logRegion = r;
    const log = this.model.log;
    const hint = log.scrolledUp;
    const rows = log.visible(r.width, hint ? r.height - 1 : r.height);
    const top = r.height - (hint ? 1 : 0) - rows.length;
    this.painter.paint({ ...r, height: r.height }, [...new Array<Row>(Math.max(0, top)).fill([]), ...rows]);
    if (hint) {
      const n = log.unseen;
      const text = n > 0
        ? ` ${n} new message${n === 1 ? '' : 's'} below (PageDown) `
        : ' scrolled up (PageDown to return) ';
      this.painter.paintRow(r.x, r.y + r.height - 1, r.width, clipSpans([{ text, style: HINT_STYLE }], r.width), HINT_STYLE);
    }
  }

  private paintPeers(r: Region): void {
    const peers = this.model.peers;
    const own = this.model.status.nick;
    const rows: Row[] = [];
    const fits = peers.length <= r.height ? peers.length : r.height - 1;
    for (let i = 0; i < fits; i++) {
      const p = peers[i] ?? '';
      const colour = this.model.status.offline === true ? OFFLINE_PEER_STYLE
        : this.model.away?.has(p) === true ? AWAY_PEER_STYLE : { fg: nickColour(p) };
      const style: Style = p === own ? { ...colour, bold: true, underline: true } : colour;
      rows.push(clipSpans([{ text: truncate(escapeForTerminal(p), r.width), style }], r.width));
    }
    if (fits < peers.length) rows.push(clipSpans([{ text: `+${peers.length - fits} more`, style: { fg: 244 } }], r.width));
    this.painter.paint(r, rows);
  }

  private paintBuffers(r: Region): void {
    const buffers = this.model.buffers;
    this.painter.paint(r, buffers === undefined ? [] : bufferRows(buffers, r.width, r.height));
  }

  private paintStatus(r: Region): void {
    const s = this.model.status;
    if (s.prompt !== undefined) {
      this.painter.paintRow(r.x, r.y, r.width, clipSpans([{ text: ` ${s.prompt}`, style: PROMPT_LINE_STYLE }], r.width), PROMPT_LINE_STYLE);
      return;
    }
    const buffers = this.model.buffers;
    const activity = buffers === undefined ? [] : activitySpans(buffers, STATUS_STYLE);
    this.painter.paintRow(r.x, r.y, r.width, clipSpans(statusSpans(s, r.width, activity), r.width), STATUS_STYLE);
  }

  private paintInput(r: Region): void {
    const prompt = this.model.prompt;
    const promptWidth = displayWidth(prompt);
    const view = this.model.input.view(Math.max(1, r.width - promptWidth));
    const row: Row = [
      ...styledGlyphs([{ text: prompt, style: PROMPT_STYLE }]),
      ...view.glyphs.map((glyph) => ({ glyph, style: glyph === LINE_BREAK_GLYPH ? LINE_BREAK_STYLE : undefined })),
    ];
    this.painter.paintRow(r.x, r.y, r.width, row);
    this.cursor = { x: r.x + promptWidth + view.cursorCol, y: r.y };
  }

  private placeCursor(): void {
    if (this.cursor === undefined || this.destroyed) return;
    const program = this.screen.program;
    program.cup(this.cursor.y, this.cursor.x);
    program.showCursor();
  }
}

/**
 * Labels are ours (ASCII words and numbers), never text from the network. One that does not fit
 * between the box's corners is left out rather than drawn over the border.
 */
function setLabel(el: blessed.Widgets.BoxElement, wanted: string, shorter: string): void {
  const width = typeof el.width === 'number' ? el.width : 0;
  // A label starts two columns in and must leave the corner free (longer ones wrap, and show cut).
  const fits = (label: string): boolean => displayWidth(label) + 4 <= width;
  const label = fits(wanted) ? wanted : fits(shorter) ? shorter : '';
  const element = (el as unknown as { _label?: { getContent(): string; hide(): void; show(): void } })._label;
  // Hidden, not removed: blessed's removeLabel() leaves a timer behind that throws.
  if (label === '') {
    element?.hide();
    return;
  }
  if (element?.getContent() !== label) el.setLabel(label);
  element?.show();
}

function place(el: blessed.Widgets.BoxElement, left: number, top: number, width: number, height: number): void {
  el.left = left;
  el.top = top;
  el.width = Math.max(0, width);
  el.height = Math.max(0, height);
}
