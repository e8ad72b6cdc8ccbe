/**
 * ESLint (flat config): typescript-eslint's type-aware rules, and the house rules of STYLE.md that
 * imports alone don't enforce — protocol logic, the cores and their sub-machines
 * (spec/support/sans-io.json) touch no socket, file, timer, clock, process or console.
 * spec/architecture.spec.ts checks the same files by text, and the import graph for cycles.
 *
 * typescript-eslint reads types through TypeScript's JavaScript API, which TypeScript 7 (the
 * native compiler this project builds and type-checks with) does not have. The devDependency
 * `typescript-api` is TypeScript 6.0 under another name: while linting, every
 * `require('typescript')` resolves to it. Build and typecheck stay on TypeScript 7.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const redirected = request === 'typescript' || request.startsWith('typescript/') ? request.replace(/^typescript/, 'typescript-api') : request;
  return resolveFilename.call(this, redirected, ...rest);
};

const { default: js } = await import('@eslint/js');
const { default: tseslint } = await import('typescript-eslint');

const SANS_IO = JSON.parse(readFileSync(new URL('./spec/support/sans-io.json', import.meta.url), 'utf8'));
const WHY = 'Protocol logic, the cores and their sub-machines do no I/O and take time as an argument (STYLE.md): sockets, files, timers, the clock, the process and the console belong in the shells.';
const IO_MODULES = ['dgram', 'fs', 'fs/promises', 'net', 'timers', 'timers/promises', 'child_process', 'process', 'readline', 'worker_threads', 'perf_hooks'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `x as T` after an index read is the house idiom under noUncheckedIndexedAccess; the rule
      // also flags casts that TypeScript 7 needs and the 6.0 checker used here does not.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Terminal-safe display and the text width tables match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    files: SANS_IO.files,
    ignores: SANS_IO.ignores,
    rules: {
      'no-restricted-imports': ['error', { paths: IO_MODULES.flatMap((m) => [{ name: m, message: WHY }, { name: `node:${m}`, message: WHY }]) }],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'process', 'console', 'performance', 'queueMicrotask'].map((name) => ({ name, message: WHY })),
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: WHY }, { object: 'performance', property: 'now', message: WHY }, { object: 'globalThis', property: 'process', message: WHY }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: WHY }],
    },
  },
  {
    // chai's property assertions (`expect(x).to.be.true`) are expressions by design; test helpers
    // put what went wrong into the message of the error they throw, for the person reading it.
    files: ['spec/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/require-await': 'off',
      'preserve-caught-error': 'off',
    },
  },
  {
    // Benchmarks drive the untyped EventEmitter API of the shells and parse results as JSON.
    files: ['bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // Capturing stderr means keeping process.stderr.write to put it back.
    files: ['lib/tui/stderr-guard.ts', 'spec/tui/stderr-guard.spec.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Ranges of combining marks, matched one code point at a time on purpose.
    files: ['lib/protocol/nick.ts'],
    rules: { 'no-misleading-character-class': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { globals: { URL: 'readonly' } },
  },
);
