/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/{workflows,activities,workers,client}/**/*.test.ts'],
  setupFiles: ['<rootDir>/test/helpers/quiet-runtime.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 120000,
  // Shared per-process resources (the embedder's worker thread, SQLite handles, Redis clients)
  // outlive the suites by design; exit once the run is over instead of waiting on them.
  forceExit: true,
  cacheDirectory: '<rootDir>/.jest-cache',
};
