/** Jest runs TypeScript through SWC (type checking is `npm run typecheck`'s job); the board
 *  page's components (.tsx) with React's automatic JSX runtime, as Vite builds them. */
const transform = {
  '^.+\\.tsx$': [
    '@swc/jest',
    {
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', tsx: true },
        transform: { react: { runtime: 'automatic' } },
      },
      module: { type: 'commonjs', ignoreDynamic: true },
    },
  ],
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

const common = { testEnvironment: 'node', transform, transformIgnorePatterns };
/** One DynamoDB Local and one SQS emulator for the whole run, on free ports; each test file
 *  provisions its own table and queues on them (test/support/test-app.ts). Jest runs a global
 *  setup module once per run however many selected projects name it. */
const services = {
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};

/** Three kinds of tests, each its own project (`npm run test:unit|test:integration|test:web`;
 *  `npm test` runs all three). */
module.exports = {
  projects: [
    {
      // Pure: no services, sockets or child processes, so it runs in seconds without Java.
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      // Against the real local services, plus whatever spawns processes or opens sockets.
      ...common,
      ...services,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    {
      // The board page: its modules in Node, and the e2e in headless Chromium on a whole local
      // stack, which uses the same services.
      ...common,
      ...services,
      displayName: 'web',
      testMatch: ['<rootDir>/test/web/**/*.test.ts'],
    },
  ],
  // A 2-core CI machine: the services and the stacks under test need the rest. Both are run-wide
  // settings: Jest reads no project's own testTimeout.
  maxWorkers: 2,
  testTimeout: 30_000,
};
