// ESLint flat config: TypeScript rules from typescript-eslint, formatting left to Prettier.
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '**/node_modules/',
      'lib/',
      'coverage/',
      '.venv/',
      'jupyterlab_gpu_session/labextension/',
      'src/monitor/probeSource.ts',
      'src/settings/schemaDefaults.ts',
      'src/ui/statusCss.ts',
      // The benches' scratch copies of the sources (bench/build_prod.sh).
      'bench/.tmp/',
      'ui-tests/test-results/',
      'ui-tests/playwright-report/',
      '**/*.js',
      '**/*.mjs'
    ]
  },
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ],
      '@typescript-eslint/no-unused-vars': ['warn', { args: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-use-before-define': 'off',
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  }
);
