/**
 * Keeps process.stderr off a full-screen UI: while captured, writes to it (console.error,
 * warnings, libraries) are held in memory instead of being drawn over the screen.
 */

export interface StderrCapture {
  /** Forgets what was captured so far (e.g. blessed's terminfo noise at start-up). */
  discardSoFar(): void;
  /** Restores process.stderr.write; with replay, writes out what was held back. Idempotent. */
  release(options: { replay: boolean }): void;
}

const HOLD_LIMIT = 256 * 1024;

type Write = typeof process.stderr.write;

export function captureStderr(): StderrCapture {
  const stream = process.stderr;
  const original: Write = stream.write;
  let held: string[] = [];
  let size = 0;
  let released = false;
  const capture = function write(chunk: unknown, encodingOrCb?: unknown, cb?: unknown): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (size < HOLD_LIMIT) {
      held.push(text);
      size += text.length;
    }
    const callback = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
    if (typeof callback === 'function') queueMicrotask(() => (callback as (err?: Error | null) => void)(null));
    return true;
  };
  stream.write = capture as Write;
  return {
    discardSoFar(): void {
      held = [];
      size = 0;
    },
    release({ replay }): void {
      if (released) return;
      released = true;
      if (stream.write === (capture as Write)) stream.write = original;
      if (replay && held.length > 0) original.call(stream, held.join(''));
      held = [];
    },
  };
}
