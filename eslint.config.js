// @ts-check
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'fs/promises', 'child_process', 'os', 'path', 'net', 'http', 'https', 'crypto', 'process'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.baton/**', 'eslint.config.js', 'scripts/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() report through the runner; awaiting them is optional.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The workflow sandbox is a folder boundary: no Node builtins, no side effects. Also bundled into workflow
    // code from outside it: the contract types and constants, the snapshot's sink and the exit codes (through plan
    // errors).
    files: ['src/workflows/**/*.ts', 'src/contract/**/*.ts', 'src/snapshot/sink.ts', 'src/errors/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins.flatMap((m) => [m, `node:${m}`]), 'execa'],
          // Activities run outside the sandbox: workflow code may import their types only.
          patterns: [{ group: ['../activities/**', '../../activities/**'], allowTypeImports: true }],
        },
      ],
    },
  },
);
