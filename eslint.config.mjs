import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { layersRule } from './tools/eslint/layers.mjs'

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'reports/**', 'test-results/**', 'playwright-report/**', 'scratch/**', '.cortex/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { cortex: { rules: { layers: layersRule } } },
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      'cortex/layers': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off'
    }
  },
  {
    // Only runtime/main.ts may touch Electron, which it does through process.parentPort.
    files: ['src/runtime/**/*.ts'],
    ignores: ['src/runtime/main.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'parentPort', message: 'Only src/runtime/main.ts may touch Electron.' }]
    }
  },
  {
    // All ipcMain use goes through the validated wrapper in src/main/ipc.ts.
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/ipc.ts', 'src/main/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', importNames: ['ipcMain'], message: 'Use handleIpc/listenIpc from src/main/ipc.ts: they check the sender frame.' }] }
      ]
    }
  },
  {
    files: ['**/*.test.ts', 'e2e/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' }
  },
  {
    files: ['**/*.mjs', 'bin/**', 'scripts/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } }
  }
)
