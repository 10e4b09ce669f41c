// Lint rules for every package: typescript-eslint's recommended set, plus the house rules in
// ../shared/STYLE.md that a machine can check. Formatting is Prettier's (.prettierrc.json).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
    },
  },
  {
    // Every error a package throws carries a stable `code` (errors.ts of each package makes them):
    // a bare Error, TypeError or RangeError would reach users without one. The CLI reports its
    // errors as one line and an exit status (cli/cli-error.ts), its contract with scripts.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/*/src/**/errors.ts', 'packages/engine/src/cli/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'NewExpression[callee.name=/^(Error|TypeError|RangeError)$/]',
          message: "Throw an error with a stable `code` (the package's errors.ts), not a bare Error.",
        },
      ],
    },
  },
)
