// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import { dependencyRule } from './eslint/dependency-rule.mjs';

const LIB_PATTERNS = [
  {
    group: ['**/libs/*/src/**', '@custos/*/src/**'],
    message: 'Import a lib only as @custos/<name> (its index.ts is its public API).',
  },
];

// `@ValidateNested` alone walks into arrays it finds (`[[]]` passed as a list of objects).
const NESTED_VALIDATION = [
  {
    name: 'class-validator',
    importNames: ['ValidateNested'],
    message: 'Use NestedObject or NestedArray from @custos/core.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'libs/*/dist/',
      'node_modules/',
      'coverage/',
      'data/',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.spec.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-extraneous-class': 'off',
      // Interface implementations are async by contract even when one implementation is not.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-restricted-imports': ['error', { patterns: LIB_PATTERNS, paths: NESTED_VALIDATION }],
    },
  },
  {
    // The one owner of nested validation.
    files: ['libs/core/src/validation/nested.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: LIB_PATTERNS }] },
  },
  {
    // The dependency rule (docs/architecture.md): fails lint, and so CI, when broken.
    files: ['libs/**/*.ts'],
    plugins: { custos: dependencyRule },
    rules: { 'custos/lib-dependencies': 'error' },
  },
  {
    // Features of the server and folders of the CRM meet only at their index.ts or module.
    files: ['src/**/*.ts'],
    plugins: { custos: dependencyRule },
    rules: { 'custos/feature-exports': 'error' },
  },
  {
    // CRM folders import only lower layers (CRM_LAYERS). Specs may put a feature next to a lower
    // layer to test a port they meet at.
    files: ['src/crm/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.integration-spec.ts'],
    plugins: { custos: dependencyRule },
    rules: { 'custos/crm-layers': 'error' },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
