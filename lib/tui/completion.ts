/**
 * Tab completion of nicknames, as a pure function of the draft: the word before the cursor is
 * completed to the first nick that starts with it (case-insensitively); at the start of the line
 * the nick is followed by ": ", elsewhere by " ". Pressing Tab again right away replaces that
 * completion with the next candidate, cycling (Shift-Tab goes back).
 */

export interface CompletionState {
  /** Where the completed word starts (UTF-16 offset). */
  readonly wordStart: number;
  /** The candidates, in order, for the word as typed. */
  readonly candidates: readonly string[];
  /** The candidate currently inserted. */
  readonly index: number;
  /** The draft and cursor right after the insertion, to tell whether Tab follows Tab. */
  readonly text: string;
  readonly cursor: number;
}

export interface CompletionResult {
  readonly text: string;
  readonly cursor: number;
  readonly state: CompletionState;
}

const WORD_BREAK = /\s/u;

/** The candidates for a prefix: nicks starting with it, case-insensitively, own nick last. */
export function candidatesFor(prefix: string, nicks: readonly string[], ownNick?: string): string[] {
  const p = prefix.toLowerCase();
  const matches = nicks.filter((n) => n.toLowerCase().startsWith(p));
  const others = matches.filter((n) => n !== ownNick);
  return others.length > 0 ? others : matches;
}

function suffixFor(wordStart: number): string {
  return wordStart === 0 ? ': ' : ' ';
}

/**
 * Completes at the cursor. `previous` is the state returned by the last call; it is used (to
 * cycle) only when the draft and cursor are still exactly as that call left them.
 * Returns undefined when nothing matches.
 */
export function complete(
  text: string,
  cursor: number,
  nicks: readonly string[],
  options: { ownNick?: string; previous?: CompletionState | undefined; backwards?: boolean } = {},
): CompletionResult | undefined {
  const prev = options.previous;
  if (prev !== undefined && prev.text === text && prev.cursor === cursor && prev.candidates.length > 0) {
    const n = prev.candidates.length;
    const index = (prev.index + (options.backwards === true ? n - 1 : 1)) % n;
    return insert(text, prev.wordStart, cursor, prev.candidates, index);
  }
  let wordStart = cursor;
  while (wordStart > 0 && !WORD_BREAK.test(text[wordStart - 1] ?? ' ')) wordStart--;
  if (text[wordStart] === '@' && wordStart < cursor) wordStart++; // "@al" completes to "@alice "
  const prefix = text.slice(wordStart, cursor);
  const candidates = candidatesFor(prefix, nicks, options.ownNick);
  if (candidates.length === 0) return undefined;
  const index = options.backwards === true ? candidates.length - 1 : 0;
  return insert(text, wordStart, cursor, candidates, index);
}

function insert(
  text: string,
  wordStart: number,
  cursor: number,
  candidates: readonly string[],
  index: number,
): CompletionResult {
  const nick = candidates[index] ?? '';
  const inserted = nick + suffixFor(wordStart);
  const next = text.slice(0, wordStart) + inserted + text.slice(cursor);
  const nextCursor = wordStart + inserted.length;
  return {
    text: next,
    cursor: nextCursor,
    state: { wordStart, candidates, index, text: next, cursor: nextCursor },
  };
}
