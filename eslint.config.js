import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
  { ignores: ['dist/', 'dist-*/', 'node_modules/', 'test-results/', 'playwright-report/', 'public/vendor/', 'public/models/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.worker, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.name='eval']", message: 'no eval' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // core is pure: no DOM, tfjs, ORT or Svelte.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@tensorflow/*', 'onnxruntime-web*', 'svelte*', '../ui/*', '../ml/*', '../storage/*', '../workers/*', '../jobs/*', '../data/*'] }],
    },
  },
  {
    files: ['src/ml/**/*.ts', 'src/data/**/*.ts', 'src/storage/**/*.ts', 'src/workers/**/*.ts', 'src/jobs/**/*.ts', 'src/report/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/ui/*', 'svelte', 'svelte/*'] }] },
  },
);
