import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no services; `integration` brings the local stack (Kafka, Redis,
// Hardhat) up once in its global setup and stops only what it started.
export default defineConfig({
  test: {
    reporters: ['default', './test/setup/summaryReporter.ts'],
    // Kafka, Redis and Hardhat share two cores with the tests.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/globalSetup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
