/** Jest runs TypeScript through SWC (type checking is `npm run typecheck`'s job).
 *  Unit tests are pure; integration tests share one DynamoDB Local and one SQS
 *  emulator started by test/global-setup.ts on free ports. */
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs', ignoreDynamic: true },
    },
  ],
};
// @middy/core ships ESM only; let SWC turn it into CommonJS for Jest's module registry.
const transformIgnorePatterns = ['/node_modules/(?!(@middy)/)'];

module.exports = {
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  transform,
  transformIgnorePatterns,
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
