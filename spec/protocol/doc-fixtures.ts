/**
 * Reads the codec fixtures out of docs/protocol.md §10, so the document and the specs cannot drift
 * apart. Format (docs/protocol.md §10):
 *
 *     ### Example: <name>          ### Invalid: <name>
 *     ```json                      ```json
 *     { "type": "join", … }        { "error": "UDPCHAT_ERR_…" }
 *     ```                          ```
 *     ```hex                       ```hex
 *     55 43 01 01  # comment       55 63 …
 *     ```                          ```
 *
 * In JSON, Buffer fields are lowercase hex strings; in hex blocks whitespace is ignored and `#`
 * starts a comment. A hex block is the whole datagram, its CRC-32 trailer (§2) included: nothing is
 * added here. Throws a plain Error naming the line for anything malformed.
 */
import { readFileSync } from 'node:fs';
import { ERROR_DESCRIPTIONS, type ErrorCode } from '../../lib/protocol/error-codes.js';
import type { Message } from '../../lib/protocol/messages.js';

export interface ExampleFixture {
  name: string;
  /** 1-based line of the heading in the document. */
  line: number;
  message: Message;
  bytes: Buffer;
}

export interface InvalidFixture {
  name: string;
  line: number;
  code: ErrorCode;
  bytes: Buffer;
}

export interface DocFixtures {
  examples: ExampleFixture[];
  invalid: InvalidFixture[];
}

/** Where the contract lives, relative to this file. */
export const PROTOCOL_DOC = new URL('../../docs/protocol.md', import.meta.url);

/** Message fields that hold a Buffer (every other field is a number, a string or entries). */
const BUFFER_FIELDS = new Set(['cookie', 'clientId', 'resumeInstance', 'token', 'instance', 'ref', 'nonce', 'key']);

const HEADING = /^(#{1,6})\s+(.*)$/;
const FIXTURE_HEADING = /^###\s+(Example|Invalid):\s+(\S.*?)\s*$/;

export function readProtocolDoc(): string {
  return readFileSync(PROTOCOL_DOC, 'utf8');
}

export function loadDocFixtures(): DocFixtures {
  return parseDocFixtures(readProtocolDoc());
}

interface RawFixture {
  kind: 'Example' | 'Invalid';
  name: string;
  line: number;
  json?: string;
  hex?: string;
}

/** Parses every `### Example:` and `### Invalid:` section of a markdown document. */
export function parseDocFixtures(markdown: string): DocFixtures {
  const raws = collect(markdown);
  const names = new Set<string>();
  const result: DocFixtures = { examples: [], invalid: [] };
  for (const raw of raws) {
    const where = `docs/protocol.md:${raw.line} (${raw.kind}: ${raw.name})`;
    if (names.has(raw.name)) throw new Error(`${where}: duplicate fixture name`);
    names.add(raw.name);
    if (raw.json === undefined || raw.hex === undefined) throw new Error(`${where}: needs a json and a hex block`);
    const json = parseJson(raw.json, where);
    const bytes = parseHex(raw.hex, where);
    if (raw.kind === 'Example') {
      result.examples.push({ name: raw.name, line: raw.line, message: messageFromJson(json, where), bytes });
    } else {
      result.invalid.push({ name: raw.name, line: raw.line, code: errorCodeFromJson(json, where), bytes });
    }
  }
  return result;
}

/** Walks the lines, tracking code fences, and gathers each fixture's first json and hex block. */
function collect(markdown: string): RawFixture[] {
  const lines = markdown.split(/\r?\n/);
  const raws: RawFixture[] = [];
  let current: RawFixture | undefined;
  let fence: { lang: string; body: string[] } | undefined;
  lines.forEach((text, i) => {
    if (fence !== undefined) {
      if (/^```\s*$/.test(text)) {
        const body = fence.body.join('\n');
        if (current !== undefined && fence.lang === 'json') current.json ??= body;
        if (current !== undefined && fence.lang === 'hex') current.hex ??= body;
        fence = undefined;
      } else {
        fence.body.push(text);
      }
      return;
    }
    const open = /^```\s*(\S*)\s*$/.exec(text);
    if (open !== null) {
      fence = { lang: open[1] ?? '', body: [] };
      return;
    }
    if (!HEADING.test(text)) return;
    const m = FIXTURE_HEADING.exec(text);
    current = m === null ? undefined : { kind: m[1] as 'Example' | 'Invalid', name: m[2] as string, line: i + 1 };
    if (current !== undefined) raws.push(current);
  });
  if (fence !== undefined) throw new Error('docs/protocol.md: unterminated code fence');
  return raws;
}

/** Bytes of a hex block: `#` comments and whitespace removed, then pairs of hex digits. */
export function parseHex(text: string, where = 'hex'): Buffer {
  const digits = text.replace(/#.*$/gm, '').replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]*$/.test(digits) || digits.length % 2 !== 0) {
    throw new Error(`${where}: hex block must be pairs of hex digits (comments start with #)`);
  }
  return Buffer.from(digits, 'hex');
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${where}: bad JSON: ${(err as Error).message}`);
  }
}

/** A message from its JSON form: Buffer fields are lowercase hex strings. */
export function messageFromJson(value: unknown, where = 'json'): Message {
  if (!isRecord(value) || typeof value.type !== 'string') throw new Error(`${where}: expected an object with a "type"`);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (BUFFER_FIELDS.has(key)) {
      if (typeof v !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(v)) throw new Error(`${where}: "${key}" must be lowercase hex`);
      out[key] = Buffer.from(v, 'hex');
    } else {
      out[key] = v;
    }
  }
  return out as unknown as Message;
}

/** The JSON form of a message (the inverse of {@link messageFromJson}). */
export function messageToJson(m: Message): unknown {
  return JSON.parse(JSON.stringify(m, (_key, v: unknown) => (isBufferJson(v) ? Buffer.from(v.data).toString('hex') : v))) as unknown;
}

function errorCodeFromJson(value: unknown, where: string): ErrorCode {
  if (!isRecord(value) || typeof value.error !== 'string' || !Object.hasOwn(ERROR_DESCRIPTIONS, value.error)) {
    throw new Error(`${where}: expected { "error": "UDPCHAT_ERR_…" } with a defined code`);
  }
  return value.error as ErrorCode;
}

/**
 * The text of section `n` ("## n …" up to the next "## " heading), outside and inside code fences.
 * Throws if the document has no such section.
 */
export function docSection(markdown: string, n: number): string {
  const lines = markdown.split(/\r?\n/);
  let inFence = false;
  let start = -1;
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] as string;
    if (/^```/.test(text)) inFence = !inFence;
    if (inFence || !/^## /.test(text)) continue;
    if (start >= 0) {
      end = i;
      break;
    }
    if (text.startsWith(`## ${n} `)) start = i;
  }
  if (start < 0) throw new Error(`docs/protocol.md has no section ${n}`);
  return lines.slice(start, end).join('\n');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isBufferJson(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return isRecord(v) && v.type === 'Buffer' && Array.isArray(v.data);
}
