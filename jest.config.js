/** One run for all three tiers: unit specs beside the code, integration specs, e2e in test/. */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } }],
  },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFiles: ['<rootDir>/test/support/capture-logs.ts'],
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30_000,
  maxWorkers: 2,
  // every in-process app's prom-client GC observer lives in Node's shared perf_hooks and keeps its
  // test file's modules alive: a worker past this much heap after a file is replaced, so none ends
  // the run with a heap whose teardown outlasts Jest's 500 ms exit grace
  workerIdleMemoryLimit: '300MB',
};
