// @ts-check
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Workflow code runs in Temporal's deterministic sandbox: Node built-ins and anything that
// does I/O (activities, clients, the database) may only be imported for their types.
const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);
const ioModules = [
  '**/activities',
  '**/activities/**',
  '**/db',
  '**/db/**',
  '**/api/**',
  '**/ai/**',
  '**/integrations/**',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  'postgres',
  'drizzle-orm',
  'drizzle-orm/**',
  '@electric-sql/pglite',
  'openai',
  'express',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', 'dist/**', 'drizzle/**', 'test/histories/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow and domain code must stay deterministic: no Node built-ins.' })),
          patterns: [
            {
              group: ioModules,
              allowTypeImports: true,
              message: 'Workflow and domain code may import I/O modules only with `import type`.',
            },
            {
              // Not even `import type`: the plain types in src/domain are the source of truth and
              // the schemas are checked against them, never the other way round; and one value
              // import would load zod into every cached workflow (~2.5 MB each).
              group: ['zod', 'zod/**', '**/schemas', '**/schemas/**'],
              message: 'Workflow and domain code must not load zod: use the plain types in src/domain; schemas belong in src/schemas.',
            },
          ],
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
