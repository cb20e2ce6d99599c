/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Kysely 0.29, commander 15 (and its extra typings) and cookie 2 (light-my-request's, behind
  // Fastify's inject) ship ES modules only. Node 22.12+ loads them with require, but Jest's own
  // module system cannot: swc turns them into CommonJS like our own TypeScript (tsx and esbuild
  // read them as they are).
  transformIgnorePatterns: ['/node_modules/(?!(kysely|commander|@commander-js/extra-typings|cookie)/)'],
  transform: {
    '^.+\\.(ts|js)$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
  snapshotSerializers: ['<rootDir>/test/setup/asset-hash-serializer.ts'],
  // Synthesizing CDK apps is CPU-bound; two workers match the two cores of CI.
  maxWorkers: 2,
  testTimeout: 60000,
};
