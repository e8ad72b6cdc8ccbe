/**
 * Reading what the Python seed sends one client: a byte stream with no framing of its own. The
 * seed relays each recv() chunk of a sender as "p<n>: <chunk>", announces joins and leaves as
 * "p<n> присоединился в чат" / "p<n> вышел из чата" with no delimiter, and replays history as
 * "\n<line>". A chunk may hold several messages or part of one, and chunks of different senders
 * interleave, so bench messages are self-delimiting (`{…}`, never containing 'p', ':' or '\n') and
 * the stream is demultiplexed per sender before messages are cut out.
 */
const HEADER = /p(\d+)(?:(: )|( присоединился в чат)|( вышел из чата))/y;
/** Longer than any header: a shorter unmatched tail may be a header cut by the read. */
const LONGEST_HEADER = 40;
const P = 0x70;
const NL = 0x0a;

export class SeedStream {
  /** Bytes that matched nothing (should stay 0). */
  errors = 0;
  private buf = '';
  /** Sender of the chunk being read, or -1 between chunks. */
  private current = -1;
  /** Unfinished message per sender. */
  private readonly partial = new Map<number, string>();

  constructor(
    /** A complete message `{body}` from sender n. */
    private readonly onMessage: (sender: number, body: string) => void,
    /** A join notice for p<n>. */
    private readonly onJoin: (who: number) => void = () => undefined,
  ) {}

  push(data: string): void {
    const buf = this.buf + data;
    let pos = 0;
    while (pos < buf.length) {
      const c = buf.charCodeAt(pos);
      if (c === NL) {
        this.current = -1;
        pos++;
      } else if (c === P) {
        HEADER.lastIndex = pos;
        const m = HEADER.exec(buf);
        if (m === null) {
          if (buf.length - pos < LONGEST_HEADER) break; // maybe cut by the read: wait for more
          this.errors++;
          pos++;
          continue;
        }
        pos = HEADER.lastIndex;
        const who = Number(m[1]);
        this.current = m[2] !== undefined ? who : -1;
        if (m[3] !== undefined) this.onJoin(who);
      } else if (this.current < 0) {
        this.errors++;
        pos++;
      } else {
        let end = pos;
        while (end < buf.length && buf.charCodeAt(end) !== P && buf.charCodeAt(end) !== NL) end++;
        this.chunk(this.current, buf.slice(pos, end));
        pos = end;
      }
    }
    this.buf = buf.slice(pos);
  }

  private chunk(sender: number, text: string): void {
    let s = (this.partial.get(sender) ?? '') + text;
    for (;;) {
      const close = s.indexOf('}');
      if (close < 0) break;
      const open = s.indexOf('{');
      if (open >= 0 && open < close) this.onMessage(sender, s.slice(open + 1, close));
      else this.errors++;
      s = s.slice(close + 1);
    }
    if (s.length > 0) this.partial.set(sender, s);
    else this.partial.delete(sender);
  }
}
