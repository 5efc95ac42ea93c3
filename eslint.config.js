// Lint: typescript-eslint's type-checked rules, and the layering of DESIGN.md
// (imports point downward only; core imports nothing outside itself).
import tseslint from 'typescript-eslint';

const layers = ['core', 'job', 'ports', 'fetch', 'exec', 'sandbox', 'store', 'report', 'runtime', 'cli'];
// What each layer may import, besides itself. `core` is pure and imports nothing.
const allowed = {
  core: [],
  // The job contract (BuildJob, BuildReport): what executors, the agent, the
  // runtime and the sandbox share, so none of them reaches into another for it.
  job: ['core'],
  ports: ['core'],
  fetch: ['core'],
  sandbox: ['core', 'job'],
  exec: ['core', 'job', 'sandbox', 'ports'],
  store: ['core'],
  report: ['core', 'store'],
  runtime: ['core', 'job', 'ports', 'fetch', 'exec', 'sandbox', 'store'],
  cli: layers,
};

const layerRules = layers.map((layer) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: layers
        .filter((other) => other !== layer && !allowed[layer].includes(other))
        .map((other) => ({ group: [`**/${other}/*`, `../${other}/*`, `../../${other}/*`], message: `src/${layer} may not import src/${other} (DESIGN.md layers)` })),
    }],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'examples/**', 'eslint.config.js', 'bin/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }],
      }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', 'process', 'console', 'setTimeout', 'setInterval', 'Buffer'],
      'no-restricted-syntax': ['error',
        { selector: "ImportDeclaration[source.value=/^node:/]", message: 'src/core is pure: no node: imports' },
        { selector: "NewExpression[callee.name='Date']", message: 'src/core reads no clock' },
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'src/core reads no clock' },
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'src/core takes randomness as a seeded source' },
      ],
    },
  },
  ...layerRules,
);
