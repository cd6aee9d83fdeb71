import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The direction of imports between top-level folders (README, "Layout"): each folder lists the
 * top-level folders it must not import. A relative import climbing into one of them is refused.
 */
const FOLDERS = ['domain', 'infra', 'handlers', 'local', 'client', 'scripts', 'loadtest', 'web', 'test'];
const MAY_IMPORT = {
  domain: ['domain'],
  infra: ['domain', 'infra'],
  handlers: ['domain', 'infra', 'handlers'],
  local: ['domain', 'infra', 'handlers', 'client', 'local'],
  client: ['domain', 'client'],
  loadtest: ['domain', 'infra', 'local', 'client', 'loadtest'],
  web: ['domain', 'web'],
  scripts: ['domain', 'infra', 'handlers', 'local', 'client', 'loadtest', 'scripts'],
};
const direction = Object.entries(MAY_IMPORT).map(([folder, allowed]) => {
  const banned = FOLDERS.filter((f) => !allowed.includes(f));
  const patterns = [
    {
      regex: `^(\\.\\./)+(${banned.join('|')})(/|$)`,
      message: `${folder}/ may import only ${allowed.join(', ')} (README, "Layout")`,
    },
  ];
  // The domain is pure: no packages but zod, no Node built-ins.
  if (folder === 'domain') {
    patterns.push({
      regex: '^(?!zod$|\\.{1,2}/)',
      message: 'domain/ is pure TypeScript: it may import only domain/ and zod',
    });
  }
  return {
    files: [`${folder}/**/*.{ts,tsx,js,mjs,cjs}`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.data/',
      '.serverless/',
      'coverage/',
      'loadtest/reports/',
      'loadtest/dist/',
      'test-results/',
      'web/dist/',
      '.esbuild/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Typed rules: a promise nobody awaits (a lost error, a write that races its response), a
    // promise where a callback must return nothing, an await on something that is not a promise.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['scripts/**', 'local/**', 'loadtest/**', 'test/**', '**/*.js', '*.mjs'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests read JSON bodies of many shapes.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain CommonJS scripts run by Node (jest config, CI helpers, artillery processors).
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        require: 'readonly',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...direction,
);
