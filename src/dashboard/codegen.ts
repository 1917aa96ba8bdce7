import { readFileSync } from 'node:fs';
import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents of the dashboard (`npx graphql-codegen --config src/dashboard/codegen.ts`), output
// committed. `documentMode: 'string'` keeps the browser bundle free of the graphql-js parser/printer:
// each document is its query text, sent as-is over graphql-ws.
const schema = 'schema/schema.graphql';
// `Query.gateway` (connection counts) may not be in the printed schema yet; the extension lets the
// GatewayStats document type-check meanwhile, and the page copes with a server that lacks the field.
const hasGatewayField = /^\s+gateway\s*:/m.test(
  readFileSync(schema, 'utf8')
    .split(/^type Query \{/m)[1]
    ?.split(/^\}/m)[0] ?? '',
);

const config: CodegenConfig = {
  schema: hasGatewayField ? schema : [schema, 'src/dashboard/schemaExtension.graphql'],
  documents: ['src/dashboard/documents/*.graphql'],
  ignoreNoDocuments: false,
  importExtension: '.ts',
  generates: {
    'src/dashboard/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: {
          BigInt: 'string',
          Address: '`0x${string}`',
          Hex: '`0x${string}`',
          Cursor: 'string',
          StreamPosition: 'string',
        },
      },
      plugins: [],
    },
  },
};

export default config;
