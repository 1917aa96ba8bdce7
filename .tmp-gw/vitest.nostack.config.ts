import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { root: '/work/main', include: ['test/gateway/schemaDrift.test.ts'], testTimeout: 60000 } });
