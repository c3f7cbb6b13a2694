// Lint: typescript-eslint recommended rules plus import boundaries between the process folders
// (style-anchors convention 1): shared is pure, devices never see Electron or the core,
// the renderer sees only shared code.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = { group: ['node:*'], message: 'src/shared and src/renderer run everywhere: no Node built-ins.' };
const electron = { regex: '^electron(/|$)', message: 'Only the thin shell in src/main/electron may import Electron.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'models/**/training/**/*.py', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [nodeBuiltins, electron, { group: ['**/main/**', '**/devices/**', '**/renderer/**', 'react', 'react-dom'], message: 'src/shared imports nothing from the other folders.' }] }],
    },
  },
  {
    files: ['src/devices/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [electron, { group: ['**/main/**', '**/renderer/**'], message: 'Drivers depend only on src/shared.' }] }],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [electron, { group: ['**/renderer/**'], message: 'The core talks to the console only through the API contract in src/shared.' }] }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [nodeBuiltins, electron, { group: ['**/main/**', '**/devices/**'], message: 'The renderer sees only src/shared.' }] }],
    },
  },
);
