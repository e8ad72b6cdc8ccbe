/**
 * Terminal input split into keys and pastes. The terminal is asked for bracketed paste
 * (`ESC [ ? 2004 h`, see chat-screen.ts): it then wraps pasted text in `ESC [ 200 ~` …
 * `ESC [ 201 ~`. Everything outside the brackets goes on to blessed as key presses; a paste is
 * handed over whole, as one string, however many reads it took to arrive. Blessed would otherwise
 * turn every pasted character into a key press (and a line break into Enter).
 *
 * Blessed reads from `keys`, a stand-in for the input stream: it emits what blessed should see,
 * synchronously and in order, and forwards raw-mode switching to the real input.
 */
import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';

const START = '\x1b[200~';
const END = '\x1b[201~';
/** Pasted text kept at most; the rest of a longer paste is dropped (and reported). */
export const PASTE_LIMIT = 1_000_000;

type TtyInput = NodeJS.ReadableStream & { setRawMode?: (on: boolean) => unknown; isRaw?: boolean; isTTY?: boolean };

/** What blessed is given as its input stream. */
export class KeyStream extends EventEmitter {
  constructor(private readonly real: TtyInput) {
    super();
  }

  get isTTY(): boolean {
    return this.real.isTTY === true;
  }

  get isRaw(): boolean {
    return this.real.isRaw === true;
  }

  /** Present only when the real input has it (blessed checks for the method). */
  get setRawMode(): ((on: boolean) => this) | undefined {
    const real = this.real;
    if (typeof real.setRawMode !== 'function') return undefined;
    return (on: boolean) => {
      real.setRawMode?.(on);
      return this;
    };
  }

  resume(): this {
    this.real.resume();
    return this;
  }

  pause(): this {
    // The real input is paused by PasteInput.detach(), once blessed is gone.
    return this;
  }
}

export interface PasteHandler {
  /** A whole paste; `truncated` when it was longer than PASTE_LIMIT. */
  (text: string, truncated: boolean): void;
}

export class PasteInput {
  readonly keys: KeyStream;
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  private paste: string[] | undefined;
  private pasteLength = 0;
  private truncated = false;
  private readonly onData = (chunk: Buffer | string): void => this.realOnData(chunk);

  constructor(private readonly real: TtyInput, private readonly onPaste: PasteHandler) {
    this.keys = new KeyStream(real);
    real.on('data', this.onData);
  }

  /** Stops reading; pauses the real input so that it no longer holds the process open. */
  detach(): void {
    this.real.off('data', this.onData);
    this.keys.removeAllListeners();
    if (typeof this.real.setRawMode === 'function' && this.real.isRaw === true) this.real.setRawMode(false);
    this.real.pause();
  }

  private realOnData(chunk: Buffer | string): void {
    let text = this.carry + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    this.carry = '';
    while (text !== '') {
      if (this.paste === undefined) text = this.takeKeys(text);
      else text = this.takePaste(text);
    }
  }

  /** Passes keys on up to the next paste start; returns what follows it. */
  private takeKeys(text: string): string {
    const at = text.indexOf(START);
    if (at < 0) {
      const keep = partialMarker(text, START, 3);
      this.emitKeys(text.slice(0, text.length - keep));
      this.carry = text.slice(text.length - keep);
      return '';
    }
    this.emitKeys(text.slice(0, at));
    this.paste = [];
    this.pasteLength = 0;
    this.truncated = false;
    return text.slice(at + START.length);
  }

  /** Collects pasted text up to the paste end; returns what follows it. */
  private takePaste(text: string): string {
    const at = text.indexOf(END);
    const body = at < 0 ? text.slice(0, text.length - partialMarker(text, END, 1)) : text.slice(0, at);
    if (at < 0) this.carry = text.slice(body.length);
    this.collect(body);
    if (at < 0) return '';
    const paste = (this.paste ?? []).join('');
    this.paste = undefined;
    this.onPaste(paste, this.truncated);
    return text.slice(at + END.length);
  }

  private collect(body: string): void {
    const room = PASTE_LIMIT - this.pasteLength;
    if (body.length > room) this.truncated = true;
    const kept = body.length > room ? body.slice(0, room) : body;
    if (kept !== '') {
      this.paste?.push(kept);
      this.pasteLength += kept.length;
    }
  }

  private emitKeys(text: string): void {
    if (text !== '') this.keys.emit('data', Buffer.from(text, 'utf8'));
  }
}

/**
 * Length of the longest tail of text that could be the start of marker, if at least `min`
 * characters. Outside a paste `min` is 3 (`ESC [ 2`): a lone ESC at the end of a read is the
 * Escape key (or Alt with the next read) and must not be held back.
 */
function partialMarker(text: string, marker: string, min: number): number {
  for (let n = Math.min(marker.length - 1, text.length); n >= min; n--) {
    if (marker.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}
