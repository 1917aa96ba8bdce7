import type { ResolvedConfig } from '../shared/config/index.ts';
import { lexicographicSortSchema, printSchema } from './graphqlJs.ts';
import { buildSchema } from './schema/buildSchema.ts';

/** The SDL of the gateway schema of a config, sorted, as committed in `schema/schema.graphql`. */
export function printSchemaFromConfig(config: ResolvedConfig): string {
  return `${printSchema(lexicographicSortSchema(buildSchema(config)))}\n`;
}
