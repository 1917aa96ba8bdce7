import type { CodegenConfig } from '@graphql-codegen/cli';
import { scalars } from '../../codegen.ts';

// Typed documents of the dashboard (`npx graphql-codegen --config src/dashboard/codegen.ts`), output
// committed. `documentMode: 'string'` keeps the browser bundle free of the graphql-js parser/printer:
// each document is its query text, sent as-is over graphql-ws.
const schema = 'schema/schema.graphql';
const config: CodegenConfig = {
  schema,
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
        scalars,
      },
      plugins: [],
    },
  },
};

export default config;
