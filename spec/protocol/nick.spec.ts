import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_DETAIL_BYTES, MAX_NICK_BYTES, MAX_NICK_CHARS } from '../../lib/protocol/constants.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NameMap, checkNick, nickCaseKey, nickKey, nickKeys, sameNick, sameRoom } from '../../lib/protocol/nick.js';
import { CONFUSABLES_VERSION } from '../../lib/protocol/nick-key-table.js';

const SEED = Number(process.env['UDPCHAT_SEED'] ?? 0x5eed);
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const clusters = (s: string): number => [...segmenter.segment(s)].length;

/** Code points, lone surrogates, combining marks, emoji and look-alikes, in any order. */
const hostileText = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('а', 'о', 'ο', 'Ν', 'ν', 'Υ', 'ς', 'Σ', 'ǅ', 'ｂ', '\u200d', '\ufe0f', '\u0301', 'İ', 'ß', ':', '/'),
    fc.constantFrom('I', 'l', '1', '|', 'i', 'ı', 'ᴀ', 'ʙ', 'ɑ', 'm', 'rn', '0', 'ł', 'ø', 'ं', '\u0338', 'ि', 'க்', '\u0329'),
  ),
  maxLength: 40,
});

function reasonOf(raw: string): string {
  const result = checkNick(raw);
  if (result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
  return result.reason;
}

function accepted(raw: string): { nick: string; key: string } {
  const result = checkNick(raw);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be accepted: ${result.reason}`);
  return result;
}

describe('checkNick', function () {
  describe('valid nicknames', function () {
    for (const nick of ['alice', 'Алиса', '张伟', 'ゆき', 'Ελένη', 'o\'neil', 'a-b_c.d', 'x/y', 'R2D2', '👩‍💻', '❤️', '👍🏽', '🇺🇦']) {
      it(`accepts ${JSON.stringify(nick)} unchanged`, function () {
        expect(accepted(nick).nick).to.equal(nick);
      });
    }

    it('returns the NFC display form', function () {
      expect(accepted('Zoe\u0308').nick).to.equal('Zo\u00eb');
      expect(accepted('\u212bngstr\u00f6m').nick).to.equal('\u00c5ngstr\u00f6m');
    });

    it('returns the uniqueness key of the display form', function () {
      const result = accepted('ВОВ');
      expect(result.key).to.equal(nickKey(result.nick)).and.to.equal('bob');
    });

    it(`accepts exactly ${MAX_NICK_CHARS} grapheme clusters`, function () {
      expect(accepted('a'.repeat(MAX_NICK_CHARS)).nick).to.have.length(MAX_NICK_CHARS);
      expect(accepted('é'.repeat(MAX_NICK_CHARS)).nick).to.have.length(MAX_NICK_CHARS);
    });

    it(`accepts exactly ${MAX_NICK_BYTES} bytes`, function () {
      const nick = '😀'.repeat(MAX_NICK_BYTES / 4);
      expect(Buffer.byteLength(accepted(nick).nick)).to.equal(MAX_NICK_BYTES);
    });

    it('counts an emoji ZWJ sequence as one character', function () {
      expect(accepted('👨‍👩‍👧'.repeat(3)).nick).to.equal('👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧');
    });
  });

  describe('length', function () {
    it('refuses an empty nickname', function () {
      expect(reasonOf('')).to.equal('nickname is empty');
    });

    it(`refuses more than ${MAX_NICK_CHARS} grapheme clusters`, function () {
      expect(reasonOf('a'.repeat(MAX_NICK_CHARS + 1))).to.equal(`nickname is longer than ${MAX_NICK_CHARS} characters`);
    });

    it(`refuses more than ${MAX_NICK_BYTES} UTF-8 bytes`, function () {
      expect(reasonOf('张'.repeat(22))).to.equal(`nickname is longer than ${MAX_NICK_BYTES} bytes`);
      expect(reasonOf('😀'.repeat(MAX_NICK_BYTES / 4 + 1))).to.equal(`nickname is longer than ${MAX_NICK_BYTES} bytes`);
    });

    it('refuses one character carrying a pile of combining marks', function () {
      expect(reasonOf('e' + '\u0301'.repeat(40))).to.equal(`nickname is longer than ${MAX_NICK_BYTES} bytes`);
    });

    it('measures the NFC form, not the input', function () {
      // 24 × "e" + U+0301 is 48 code points, 24 clusters and 48 bytes once composed.
      expect(accepted('e\u0301'.repeat(MAX_NICK_CHARS)).nick).to.equal('é'.repeat(MAX_NICK_CHARS));
    });

    it('refuses a very long input quickly', function () {
      const started = performance.now();
      expect(reasonOf('a'.repeat(1_000_000))).to.equal(`nickname is longer than ${MAX_NICK_CHARS} characters`);
      expect(performance.now() - started).to.be.below(1_000);
    });
  });

  describe('forbidden characters', function () {
    const cases: Array<[string, string, string]> = [
      ['a lone high surrogate', 'bob\ud800', 'nickname is not valid Unicode (lone surrogate)'],
      ['a lone low surrogate', '\udc00bob', 'nickname is not valid Unicode (lone surrogate)'],
      ['NUL', 'bob\u0000', 'nickname contains a control character'],
      ['ESC', '\u001b[31mbob', 'nickname contains a control character'],
      ['TAB', 'bob\tx', 'nickname contains a control character'],
      ['LF', 'bob\n', 'nickname contains a control character'],
      ['DEL', 'bob\u007f', 'nickname contains a control character'],
      ['a C1 control (CSI)', 'bob\u009b', 'nickname contains a control character'],
      ['NEL', 'bob\u0085', 'nickname contains a control character'],
      ['a space', 'bob smith', 'nickname contains a space'],
      ['a leading space', ' bob', 'nickname contains a space'],
      ['a no-break space', 'bob\u00a0', 'nickname contains a space'],
      ['an em space', 'bob\u2003x', 'nickname contains a space'],
      ['an ideographic space', 'bob\u3000', 'nickname contains a space'],
      ['the Ogham space mark', 'bob\u1680x', 'nickname contains a space'],
      ['a line separator', 'bob\u2028', 'nickname contains a space'],
      ['a paragraph separator', 'bob\u2029', 'nickname contains a space'],
      ['a zero-width space', 'b\u200bob', 'nickname contains an invisible formatting character'],
      ['a zero-width non-joiner', 'b\u200cob', 'nickname contains an invisible formatting character'],
      ['a left-to-right mark', 'bob\u200e', 'nickname contains an invisible formatting character'],
      ['a right-to-left override', '\u202ebob', 'nickname contains an invisible formatting character'],
      ['a bidi isolate', '\u2066bob\u2069', 'nickname contains an invisible formatting character'],
      ['a byte order mark', '\ufeffbob', 'nickname contains an invisible formatting character'],
      ['a soft hyphen', 'bo\u00adb', 'nickname contains an invisible formatting character'],
      ['a word joiner', 'bo\u2060b', 'nickname contains an invisible formatting character'],
      ['a tag character', 'bob\u{e0041}', 'nickname contains an invisible formatting character'],
      ['an unassigned code point', 'bob\u0378', 'nickname contains an unassigned character'],
      ['a noncharacter', 'bob\uffff', 'nickname contains an unassigned character'],
      ['a private-use character', 'bob\ue000', 'nickname contains a private-use character'],
      ['a supplementary private-use character', 'bob\u{f0000}', 'nickname contains a private-use character'],
      ['a Hangul filler', 'bob\u3164', 'nickname contains an invisible character'],
      ['a half-width Hangul filler', '\uffa0', 'nickname contains an invisible character'],
      ['a combining grapheme joiner', 'bo\u034fb', 'nickname contains an invisible character'],
      ['the braille blank', 'bob\u2800', 'nickname contains an invisible character'],
      ['a colon', 'bob:', 'nickname contains ":"'],
      ['a comma', 'bob,alice', 'nickname contains ","'],
      ['an at sign', '@bob', 'nickname contains "@"'],
      ['a hash sign', '#general', 'nickname contains "#"'],
      ['a fullwidth colon', 'bob\uff1a', 'nickname contains ":"'],
      ['a small commercial at', '\ufe6bbob', 'nickname contains "@"'],
      ['a fullwidth number sign', '\uff03bob', 'nickname contains "#"'],
      ['a leading slash', '/quit', 'nickname starts with "/"'],
      ['a leading fullwidth slash', '\uff0fquit', 'nickname starts with "/"'],
    ];
    for (const [what, raw, reason] of cases) {
      it(`refuses ${what}`, function () {
        expect(reasonOf(raw)).to.equal(reason);
      });
    }

    it('gives reasons that fit an ERROR detail', function () {
      for (const [, raw] of cases) expect(Buffer.byteLength(reasonOf(raw))).to.be.at.most(MAX_DETAIL_BYTES);
    });

    it('allows the zero-width joiner and variation selectors', function () {
      expect(accepted('🏳️‍🌈').nick).to.equal('🏳️‍🌈');
      expect(accepted('✌︎').nick).to.equal('✌︎');
    });
  });

  describe('on arbitrary input', function () {
    it(`never throws and only accepts what the rules allow (seed ${SEED})`, function () {
      fc.assert(
        fc.property(hostileText, (raw) => {
          const result = checkNick(raw);
          if (!result.ok) return typeof result.reason === 'string' && result.reason.length > 0;
          const { nick, key } = result;
          return (
            nick === raw.normalize('NFC') &&
            nick.isWellFormed() &&
            clusters(nick) >= 1 &&
            clusters(nick) <= MAX_NICK_CHARS &&
            Buffer.byteLength(nick) <= MAX_NICK_BYTES &&
            !/[\p{Cc}\p{Z}\p{White_Space}\p{Co}\p{Cn}:,@#]/u.test(nick) &&
            !nick.startsWith('/') &&
            key === nickKey(nick)
          );
        }),
        { seed: SEED, numRuns: 2_000 },
      );
    });
  });
});

describe('nickKey', function () {
  const same: Array<[string, string, string]> = [
    ['upper and lower case', 'BOB', 'bob'],
    ['mixed case', 'bOb', 'Bob'],
    ['fullwidth letters', 'ｂｏｂ', 'bob'],
    ['mathematical bold letters', '𝐛𝐨𝐛', 'bob'],
    ['the Kelvin sign and K', '\u212aate', 'kate'],
    ['long s and s', '\u017fam', 'sam'],
    ['the ﬁ ligature and fi', 'ﬁona', 'fiona'],
    ['Cyrillic а and Latin a', 'аlice', 'alice'],
    ['Cyrillic о and Latin o', 'bоb', 'bob'],
    ['a whole Cyrillic look-alike word', 'расе', 'pace'],
    ['Cyrillic capitals and Latin capitals', 'ВОВ', 'BOB'],
    ['Cyrillic capitals and Cyrillic small letters', 'ВОВ', 'вов'],
    ['Cyrillic і, ј, ѕ and Latin i, j, s', 'јіѕ', 'jis'],
    ['Greek ο and Latin o', 'ροnd', 'pond'],
    ['Greek capitals and Latin capitals', 'ΑΒΕΖΗΙΚΜΟΡΤΧ', 'abezhikmoptx'],
    ['Greek capital Nu and Latin N', 'Νina', 'Nina'],
    ['Greek small nu and Latin v', 'νictor', 'victor'],
    ['Greek capital Upsilon and Latin Y', 'Υvonne', 'Yvonne'],
    ['Greek small upsilon and Latin u', 'υma', 'uma'],
    ['Greek final and medial sigma', 'οσ', 'ος'],
    ['the digraphs ǅ and Ǆ', 'ǅ', 'Ǆ'],
    ['the digraph ǆ and the two letters DŽ', 'ǆ', 'D\u017d'],
    ['Cyrillic ё and Latin ë', 'ёlla', 'ëlla'],
    ['Greek ά and Latin á', 'άnna', 'ánna'],
    ['Latin dotless ı and i', 'bıll', 'bill'],
    ['composed and decomposed accents', 'Zo\u00eb', 'Zoe\u0308'],
    ['the letter m and r n (confusables.txt: m → rn)', 'emma', 'ernrna'],
    ['Cyrillic small в, н, т and Latin small capitals', 'внт', 'ʙʜᴛ'],
    ['a nickname with an invisible ZWJ', 'b\u200dob', 'bob'],
    ['a nickname with a variation selector', 'bob\ufe0f', 'bob'],
  ];
  for (const [what, a, b] of same) {
    it(`gives the same key to ${what}`, function () {
      expect(nickKey(a)).to.equal(nickKey(b));
    });
  }

  const different: Array<[string, string, string]> = [
    ['different names', 'bob', 'rob'],
    ['Cyrillic letters without a Latin look-alike', 'жора', 'xopa'],
    // Apart in nickKey, together in nickCaseKey: sameNick (below) is what the server decides by.
    ['Greek capital and small letters that look like different Latin letters', 'ΝΑ', 'να'],
    ['a Latin diacritic on a letter of another script', 'राम', 'रा\u0301म'],
  ];
  for (const [what, a, b] of different) {
    it(`keeps ${what} apart`, function () {
      expect(nickKey(a)).to.not.equal(nickKey(b));
    });
  }

  describe('look-alikes of "alice" (UTS #39 confusables, issue 10)', function () {
    const lookAlikes: Array<[string, string]> = [
      ['Alice', 'capital A'],
      ['ALICE', 'all capitals'],
      ['ａｌｉｃｅ', 'fullwidth letters'],
      ['𝐚𝐥𝐢𝐜𝐞', 'mathematical bold letters'],
      ['ⓐⓛⓘⓒⓔ', 'circled letters'],
      ['Аlice', 'Cyrillic capital А'],
      ['аlіcе', 'Cyrillic а, і and е'],
      ['αlice', 'Greek alpha'],
      ['ɑlice', 'Latin alpha'],
      ['ᴀlice', 'a small capital A'],
      ['aʟɪᴄᴇ', 'small capitals'],
      ['al1ce', 'digit one for i'],
      ['a1ice', 'digit one for l'],
      ['aIice', 'capital I for l'],
      ['ALlCE', 'small l for capital I'],
      ['a|ice', 'a vertical bar for l'],
      ['aǀice', 'a dental click for l'],
      ['a∣ice', 'the divides sign for l'],
      ['aℓice', 'the script l'],
      ['aⅼice', 'roman numeral fifty'],
      ['aӏice', 'Cyrillic palochka'],
      ['alıce', 'dotless i'],
      ['alɩce', 'Latin iota'],
      ['alᎥce', 'Cherokee v'],
      ['alꙇce', 'Cyrillic iota'],
      ['alic℮', 'the estimated sign'],
      ['alicҽ', 'Cyrillic abkhasian che'],
      ['alíce', 'an acute accent'],
      ['alìce', 'a grave accent'],
      ['àlice', 'an accented a'],
      ['alicė', 'a dot above'],
      ['alἱce', 'Greek iota with a breathing'],
      ['ali\u200dce', 'an invisible joiner'],
    ];
    for (const [nick, what] of lookAlikes) {
      it(`gives ${JSON.stringify(nick)} (${what}) the key of "alice"`, function () {
        expect(nickKey(nick)).to.equal(nickKey('alice'));
      });
    }

    it('leaves the open e, whose prototype is not e, apart', function () {
      // confusables.txt maps ɛ to ꞓ, not to e: "alicɛ" is a different name.
      expect(nickKey('alicɛ')).to.not.equal(nickKey('alice'));
    });
  });

  describe('distinct real names', function () {
    const names = [
      'alice', 'bob', 'carol', 'dave', 'eve', 'mallory', 'emma', 'olivia', 'liam', 'noah', 'mia', 'anna',
      'ian', 'jan', 'john', 'joan', 'kim', 'tim', 'tom', 'sam', 'max', 'nick', 'rick', 'rob', 'ron',
      'ivan', 'lena', 'nina', 'vina', 'hans', 'yuri', 'uma', 'marco', 'mario', 'nico', 'bruno',
      'Катя', 'Маша', 'Саша', 'Дима', 'Петя', 'Ваня', 'Олег', 'Игорь', 'Юлия', 'Ольга', 'Жора',
      'Ελένη', 'Νίκος', 'Γιώργος', 'Μαρία', 'Δημήτρης', '张伟', '王芳', '李娜', 'ゆき', 'さくら', 'たろう',
      '민준', '서연', 'محمد', 'فاطمة', 'דוד', 'שרה', 'राहुल', 'प्रिया', 'राम', 'रमा', 'தமிழ்', 'ராஜா', 'สมชาย',
    ];
    it(`gives ${names.length} different names ${names.length} different keys`, function () {
      const keys = new Map<string, string>();
      for (const name of names) {
        const key = nickKey(name);
        expect(keys.get(key), `${name} collides`).to.equal(undefined);
        keys.set(key, name);
      }
    });

    const policy: Array<[string, string, string]> = [
      ['Latin K for Cyrillic К (they look the same)', 'Катя', 'Kатя'],
      ['digit zero for o (confusables.txt: 0 → O)', 'b0b', 'bob'],
      ['accented and plain Latin letters', 'zoë', 'zoe'],
      ['accented and plain Cyrillic letters', 'Андрей', 'Андреи'],
      ['ß and ss (case folding)', 'straße', 'STRASSE'],
      // The price of i = l: names that differ only there collide.
      ['i and l (capital I looks like l)', 'Clara', 'Ciara'],
    ];
    for (const [what, a, b] of policy) {
      it(`gives ${what} one key: ${a} = ${b}`, function () {
        expect(nickKey(a)).to.equal(nickKey(b));
      });
    }
  });

  it('maps look-alikes to plain Latin letters', function () {
    expect(nickKey('ВОВ')).to.equal('bob');
    expect(nickKey('Ｐаураl')).to.equal('paypal');
    expect(nickKey('aIice')).to.equal('allce');
  });

  it(`is idempotent (seed ${SEED})`, function () {
    fc.assert(
      fc.property(hostileText, (s) => nickKey(nickKey(s)) === nickKey(s)),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it(`gives canonically equivalent strings the same key (seed ${SEED})`, function () {
    fc.assert(
      fc.property(hostileText, (s) => nickKey(s.normalize('NFC')) === nickKey(s.normalize('NFD'))),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('is idempotent on every single code point', function () {
    for (let cp = 0; cp <= 0x10ffff; cp += 1) {
      if (cp === 0xd800) cp = 0xe000;
      const key = nickKey(String.fromCodePoint(cp));
      if (nickKey(key) !== key) expect.fail(`not idempotent on U+${cp.toString(16)}`);
    }
  });
});

describe('nickCaseKey and sameNick (either key: §5.3)', function () {
  // Found by review16: 119 upper/lower letter pairs below U+2000 keyed apart in nickKey alone.
  const pairs: Array<[string, string, string]> = [
    ['Cyrillic Б б', 'Борис', 'борис'],
    ['Cyrillic Г г, З з, Л л, М м', 'ГЗЛМ', 'гзлм'],
    ['Cyrillic Ы ы, Ь ь, Ю ю', 'ЫЬЮ', 'ыью'],
    ['a Cyrillic room name in capitals', 'ОБЩИЙ', 'общий'],
    ['Greek Β β, Ε ε, Η η, Μ μ', 'ΒΕΗΜ', 'βεημ'],
    ['Greek Ν ν, Σ σ, Υ υ, Χ χ', 'ΝΣΥΧ', 'νσυχ'],
    ['Greek ΝΑ να', 'ΝΑ', 'να'],
    ['mathematical Greek capitals and small letters', '\u{1d6b4}\u{1d6a8}', 'να'],
  ];
  for (const [what, a, b] of pairs) {
    it(`makes ${what} one name: ${a} = ${b}`, function () {
      expect(nickKey(a), 'nickKey alone keeps them apart').to.not.equal(nickKey(b));
      expect(nickCaseKey(a)).to.equal(nickCaseKey(b));
      expect(sameNick(a, b)).to.equal(true);
    });
  }

  it('still makes a Greek capital meet the Latin capital it looks like: Νick = Nick (nickKey)', function () {
    expect(nickKey('Νick')).to.equal(nickKey('Nick'));
    expect(sameNick('Νick', 'Nick')).to.equal(true);
    expect(sameNick('Νick', 'nick')).to.equal(true);
  });

  it('does not make N and v one letter for names in Latin: Nick ≠ vick', function () {
    expect(sameNick('Nick', 'vick')).to.equal(false);
    expect(sameNick('NA', 'va')).to.equal(false);
  });

  it('equals nickKey for names already in lower case, and for names in basic Latin', function () {
    for (const name of ['alice', 'ALICE', 'Bob', 'b0b', 'zoë', 'борис', 'να', '张伟']) {
      expect(nickCaseKey(name), name).to.equal(nickKey(name));
    }
  });

  it('is returned by checkNick with the key', function () {
    expect(accepted('Борис')).to.deep.include({ nick: 'Борис', ...nickKeys('Борис'), caseKey: nickKey('борис') });
  });

  it('joins every upper/lower letter pair below U+2000', function () {
    for (let cp = 0; cp < 0x2000; cp++) {
      const upper = String.fromCodePoint(cp);
      const lower = upper.toLowerCase();
      if (lower !== upper && [...lower].length === 1 && !sameNick(upper, lower)) expect.fail(`U+${cp.toString(16)} and its small letter key apart`);
    }
  });

  it(`is idempotent (seed ${SEED})`, function () {
    fc.assert(
      fc.property(hostileText, (s) => nickCaseKey(nickCaseKey(s)) === nickCaseKey(s)),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('is idempotent on every code point below U+30000', function () {
    for (let cp = 0; cp < 0x30000; cp += 1) {
      if (cp === 0xd800) cp = 0xe000;
      const key = nickCaseKey(String.fromCodePoint(cp));
      if (nickCaseKey(key) !== key) expect.fail(`not idempotent on U+${cp.toString(16)}`);
    }
  });
});

describe('NameMap and sameRoom: a client keeps people and rooms as the server names them (§5.3)', function () {
  it('finds by either key what was kept under a name, and forgets it the same way', function () {
    const m = new NameMap<string>();
    m.set('Борис', 'a');
    m.set('ΝICK', 'b');
    expect(m.get('борис'), 'case key').to.equal('a');
    expect(m.get('Nick'), 'nickKey (Ν looks like N)').to.equal('b');
    expect(m.get('nick'), 'case key of ΝICK').to.equal('b');
    expect(m.has('dave')).to.equal(false);
    m.set('БОРИС', 'c');
    expect(m.size, 'one name, kept once').to.equal(2);
    expect([...m.values()]).to.have.members(['b', 'c']);
    expect(m.delete('борис')).to.equal(true);
    expect(m.delete('Борис')).to.equal(false);
    expect(m.has('БОРИС')).to.equal(false);
    m.clear();
    expect(m.size).to.equal(0);
    expect(m.get('ΝICK')).to.equal(undefined);
  });

  it('means the entry that shares the nickname key where a name matches two, as the server does', function () {
    const m = new NameMap<number>();
    m.set('Nick', 1).set('vick', 2);
    expect(m.size, 'Nick and vick are two names').to.equal(2);
    expect(m.get('Νick'), 'Greek capital Nu: nickname key of Nick, case key of vick').to.equal(1);
    expect(m.get('νick')).to.equal(2);
  });

  it('compares room names with or without their #', function () {
    expect(sameRoom('#ОБЩИЙ', 'общий')).to.equal(true);
    expect(sameRoom('#Ops', '#0ps')).to.equal(true);
    expect(sameRoom('#ops', '#dev')).to.equal(false);
  });
});

describe('nick-key-table', function () {
  const root = join(import.meta.dirname, '../..');

  it('was generated from the committed confusables.txt (regenerate with npm run generate:nick-keys)', function () {
    const data = readFileSync(join(root, 'data/unicode/confusables.txt'));
    const table = readFileSync(join(root, 'lib/protocol/nick-key-table.ts'), 'utf8');
    expect(table).to.include(`SHA-256 ${createHash('sha256').update(data).digest('hex')}`);
    expect(data.toString('utf8')).to.include(`# Version: ${CONFUSABLES_VERSION}\n`);
  });

  it('is the version docs/protocol.md §5.3 names', function () {
    const doc = readFileSync(join(root, 'docs/protocol.md'), 'utf8');
    expect(doc).to.include(`**Unicode ${CONFUSABLES_VERSION}** \`confusables.txt\``);
  });
});
