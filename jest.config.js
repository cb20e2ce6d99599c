/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // cookie 2 (light-my-request's, behind Fastify's inject) ships ES modules only, which Jest on
  // Node 20 cannot require: swc turns it into CommonJS like our own TypeScript.
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
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
