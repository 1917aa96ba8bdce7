import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for the tests and examples, generated from the committed SDL (`npm run codegen`).
// The output is committed; `test/gateway/schemaDrift.test.ts` fails when it is stale.
/** TypeScript types of the gateway's custom scalars, for every generated client (the dashboard's too). */
export const scalars = {
  BigInt: 'string',
  Address: '`0x${string}`',
  Hex: '`0x${string}`',
  Cursor: 'string',
  StreamPosition: 'string',
};

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/gateway/documents/*.graphql'],
  ignoreNoDocuments: false,
  // Sources run through tsx with NodeNext resolution: relative imports need their extension.
  importExtension: '.ts',
  generates: {
    'test/gateway/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars,
      },
      plugins: [],
    },
  },
};

export default config;
