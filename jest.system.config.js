/** @type {import('jest').Config} */
// `npm run test:system`: tests against a real Google Cloud project (see test/system/).
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/system'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 180000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
