import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'certs/**', 'test/bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true }],
      'no-console': 'error',
    },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.mjs'],
    rules: { '@typescript-eslint/explicit-function-return-type': 'off', 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  {
    // Sizes that keep each part readable at a glance (ARCHITECTURE.md). Declarative tables inside a
    // function are the only exception, each marked where it stands.
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 200 }],
      'max-lines-per-function': ['error', { max: 40, IIFEs: true }],
    },
  },
  {
    // The core is pure: plain data in, plain data out. It never touches I/O, logging or the cluster.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['pino', '@kubernetes/client-node', 'prom-client', 'selfsigned'],
          patterns: [
            {
              group: [
                'node:fs',
                'node:fs/*',
                'node:net',
                'node:http',
                'node:https',
                'node:child_process',
                'node:tls',
                'node:os',
                'node:worker_threads',
                'node:process',
              ],
              message: 'The core does no I/O.',
            },
            { group: ['../*'], message: 'The core depends on nothing outside src/core.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Date', 'setTimeout', 'setInterval', 'console'],
    },
  },
);
