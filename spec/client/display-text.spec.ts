import { expect } from 'chai';
import fc from 'fast-check';
import { escapeForTerminal } from '../../lib/client/display-text.js';

const SEED = Number(process.env['UDPCHAT_SEED'] ?? 0x5eed);

/** Anything a terminal could act on: C0, DEL, C1, bidi controls, U+2028/9, lone surrogates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]/u;

describe('escapeForTerminal', function () {
  describe('terminal control sequences', function () {
    it('escapes an SGR colour sequence', function () {
      expect(escapeForTerminal('\x1b[31mred\x1b[0m')).to.equal('\\x1b[31mred\\x1b[0m');
    });

    it('escapes an OSC 52 clipboard write', function () {
      expect(escapeForTerminal('\x1b]52;c;cm0gLXJmIH4=\x07')).to.equal('\\x1b]52;c;cm0gLXJmIH4=\\x07');
    });

    it('escapes an OSC ended by ST', function () {
      expect(escapeForTerminal('\x1b]0;pwned\x1b\\')).to.equal('\\x1b]0;pwned\\x1b\\');
    });

    it('escapes a CSI in its one-character C1 form', function () {
      expect(escapeForTerminal('\u009b2J')).to.equal('\\x9b2J');
    });

    it('escapes every C1 control', function () {
      for (let c = 0x80; c <= 0x9f; c += 1) {
        expect(escapeForTerminal(String.fromCharCode(c))).to.equal(`\\x${c.toString(16)}`);
      }
    });

    it('escapes every C0 control and DEL', function () {
      for (let c = 0; c <= 0x1f; c += 1) {
        expect(escapeForTerminal(String.fromCharCode(c))).to.equal(`\\x${c.toString(16).padStart(2, '0')}`);
      }
      expect(escapeForTerminal('\x7f')).to.equal('\\x7f');
    });

    it('escapes NUL', function () {
      expect(escapeForTerminal('a\u0000b')).to.equal('a\\x00b');
    });

    it('escapes TAB, CR and LF so a message cannot forge or overwrite lines', function () {
      expect(escapeForTerminal('hi\r<alice> fake\nline\tx')).to.equal('hi\\x0d<alice> fake\\x0aline\\x09x');
    });

    it('escapes a backspace used to hide text', function () {
      expect(escapeForTerminal('rm -rf\b\b\b\b\b\bls    ')).to.equal('rm -rf\\x08\\x08\\x08\\x08\\x08\\x08ls    ');
    });
  });

  describe('bidi and line controls', function () {
    it('escapes a right-to-left override', function () {
      expect(escapeForTerminal('file\u202egpj.exe')).to.equal('file\\u202egpj.exe');
    });

    it('escapes every bidi control', function () {
      const controls = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
      for (const c of controls) {
        expect(escapeForTerminal(`a${String.fromCharCode(c)}b`)).to.equal(`a\\u${c.toString(16).padStart(4, '0')}b`);
      }
    });

    it('escapes the line and paragraph separators', function () {
      expect(escapeForTerminal('a\u2028b\u2029c')).to.equal('a\\u2028b\\u2029c');
    });
  });

  describe('surrogates', function () {
    it('escapes a lone high surrogate', function () {
      expect(escapeForTerminal('a\ud83db')).to.equal('a\\ud83db');
    });

    it('escapes a lone low surrogate', function () {
      expect(escapeForTerminal('\ude00x')).to.equal('\\ude00x');
    });

    it('escapes reversed surrogates separately', function () {
      expect(escapeForTerminal('\ude00\ud83d')).to.equal('\\ude00\\ud83d');
    });

    it('keeps a surrogate pair next to a lone surrogate', function () {
      expect(escapeForTerminal('\ud83d\ud83d\ude00')).to.equal('\\ud83d\ud83d\ude00');
    });
  });

  describe('text that is safe', function () {
    const safe: Array<[string, string]> = [
      ['printable ASCII', 'plain ASCII: {}[]()<>~!$%^&*'],
      ['Cyrillic', 'Привет, мир'],
      ['CJK', '你好，世界。日本語のテキスト'],
      ['right-to-left letters', 'عربي עברית'],
      ['emoji ZWJ sequences, skin tones and flags', '👨‍👩‍👧‍👦 family, 👍🏽 skin tone, 🇺🇦 flag, 🏴󠁧󠁢󠁳󠁣󠁴󠁿 Scotland'],
      ['variation selectors', '❤️ ✌︎'],
      ['combining marks', 'Zoe\u0308 a\u0301, Z\u0336a\u0336'],
      ['zero-width characters that move nothing', '\u200b\u200c\u200d\u2060\ufeff'],
    ];
    for (const [what, text] of safe) {
      it(`keeps ${what} unchanged`, function () {
        expect(escapeForTerminal(text)).to.equal(text);
      });
    }

    it('returns the input itself when nothing needs escaping', function () {
      const text = 'Привет 👋 '.repeat(1000);
      expect(escapeForTerminal(text)).to.equal(text);
    });

    it('keeps a literal backslash as it is', function () {
      expect(escapeForTerminal('C:\\path\\x1b')).to.equal('C:\\path\\x1b');
    });

    it('returns an empty string for an empty string', function () {
      expect(escapeForTerminal('')).to.equal('');
    });

    it('gives the same answer when called twice in a row (no regex state)', function () {
      expect(escapeForTerminal('a\x1bb')).to.equal('a\\x1bb');
      expect(escapeForTerminal('a\x1bb')).to.equal('a\\x1bb');
      expect(escapeForTerminal('ok')).to.equal('ok');
    });
  });

  describe('on arbitrary input', function () {
    const anyText = fc.string({
      unit: fc.oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
        fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
        fc.constantFrom('\x1b', '\x9b', '\u202e', '\u2028', '\u200d', '\\'),
      ),
      maxLength: 60,
    });

    it(`leaves nothing a terminal could act on (seed ${SEED})`, function () {
      fc.assert(
        fc.property(anyText, (text) => {
          const out = escapeForTerminal(text);
          return !UNSAFE.test(out) && out.isWellFormed();
        }),
        { seed: SEED, numRuns: 2_000 },
      );
    });

    it(`keeps every safe code point, in order (seed ${SEED})`, function () {
      fc.assert(
        // Without backslashes in the input, every \xHH or \uHHHH in the output is an escape.
        fc.property(anyText.filter((text) => !text.includes('\\')), (text) => {
          const safe = [...text].filter((ch) => !UNSAFE.test(ch)).join('');
          return escapeForTerminal(text).replace(/\\x[0-9a-f]{2}|\\u[0-9a-f]{4}/g, '') === safe;
        }),
        { seed: SEED, numRuns: 2_000 },
      );
    });
  });
});

