// @ts-check
// One flat config for the whole monorepo, run from the root by `npm run lint`.
// TypeScript is linted with type information (projectService finds each file's
// nearest tsconfig.json); the few plain .mjs scripts get the JS rules only.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The Node globals the .mjs scripts may use. Written out rather than taken from
// the `globals` package, which is only a transitive dependency of eslint here.
const nodeGlobals = Object.fromEntries(
  [
    'AbortController',
    'AbortSignal',
    'Buffer',
    'URL',
    'URLSearchParams',
    'TextDecoder',
    'TextEncoder',
    'clearImmediate',
    'clearInterval',
    'clearTimeout',
    'console',
    'fetch',
    'performance',
    'process',
    'queueMicrotask',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
  ].map((name) => [name, /** @type {const} */ ('readonly')]),
);

export default defineConfig(
  globalIgnores(['**/dist/', '**/.turbo/', '**/coverage/', '**/.cache/', '**/out/', 'bench/results/', 'bench/tmp/']),

  {
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
  },

  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // Every .ts file belongs to a package's tsconfig.json (examples/ folders
        // have their own); the root vitest config belongs to none.
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `_name` marks a parameter or binding kept on purpose (a callback's
      // position, a destructured field left out of a rest object).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Off: here `async` without `await` is how a function meets a
      // Promise-returning interface (ExperimentApp.load, Reporter.close, a save
      // handler, a test fake) and turns a throw into a rejection. A forgotten
      // await is what no-floating-promises and no-misused-promises catch.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
