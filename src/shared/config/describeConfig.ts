import { type ZodTypeAny, z } from 'zod';
import { configSchema } from './schema.ts';

/** One documented config field. */
export type ConfigField = {
  path: string;
  type: string;
  required: boolean;
  default: string | undefined;
  description: string;
};

function typeName(schema: ZodTypeAny): string {
  if (schema instanceof z.ZodString) return 'string';
  if (schema instanceof z.ZodNumber) return schema.isInt ? 'integer' : 'number';
  if (schema instanceof z.ZodBoolean) return 'boolean';
  if (schema instanceof z.ZodArray) return `${typeName(schema.element)}[]`;
  if (schema instanceof z.ZodObject) return 'object';
  if (schema instanceof z.ZodRecord) return 'map';
  if (schema instanceof z.ZodLiteral) return JSON.stringify(schema.value);
  if (schema instanceof z.ZodUnion) return (schema.options as ZodTypeAny[]).map(typeName).join(' \\| ');
  if (schema instanceof z.ZodEffects) return typeName(schema.innerType());
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault)
    return typeName(unwrap(schema).schema);
  return 'value';
}

function unwrap(schema: ZodTypeAny): { schema: ZodTypeAny; required: boolean; default: string | undefined } {
  let current = schema;
  let required = true;
  let fallback: string | undefined;
  for (;;) {
    if (current instanceof z.ZodOptional) {
      required = false;
      current = current.unwrap();
    } else if (current instanceof z.ZodDefault) {
      required = false;
      fallback = JSON.stringify(current._def.defaultValue());
      current = current.removeDefault();
    } else if (current instanceof z.ZodEffects) {
      current = current.innerType();
    } else {
      return { schema: current, required, default: fallback };
    }
  }
}

function walk(schema: ZodTypeAny, path: string, fields: ConfigField[]): void {
  const { schema: inner, required, default: fallback } = unwrap(schema);
  if (path) {
    fields.push({
      path,
      type: typeName(inner),
      required,
      default: fallback,
      description: schema.description ?? inner.description ?? '',
    });
  }
  const element = inner instanceof z.ZodArray ? unwrap(inner.element).schema : inner;
  if (element instanceof z.ZodObject) {
    const prefix = inner instanceof z.ZodArray ? `${path}[]` : path;
    for (const [key, child] of Object.entries(element.shape as Record<string, ZodTypeAny>)) {
      walk(child, prefix ? `${prefix}.${key}` : key, fields);
    }
  }
  // A map's entries are documented once, under `<what its keys are>` (the key schema's description).
  if (inner instanceof z.ZodRecord) {
    const keys = (inner.keySchema as ZodTypeAny).description ?? 'key';
    walk(inner.valueSchema as ZodTypeAny, `${path}.<${keys}>`, fields);
  }
}

/** Every field of the config file, derived from the zod schema that validates it. */
export function describeConfig(): ConfigField[] {
  const fields: ConfigField[] = [];
  walk(configSchema, '', fields);
  return fields;
}

/** The configuration reference (docs/configuration.md) as Markdown. */
export function renderConfigReference(): string {
  const rows = describeConfig().map(
    (field) =>
      `| \`${field.path}\` | ${field.type} | ${field.required ? 'yes' : 'no'} | ${field.default === undefined ? '' : `\`${field.default}\``} | ${field.description} |`,
  );
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from src/shared/config/schema.ts by `npm run docs:config`; a test fails when it drifts. -->',
    '',
    'One YAML or JSON file (`--config FILE`, default `$BLOCKWIRE_CONFIG` or `./blockwire.yaml`). Any string may use',
    '`${NAME}` or `${NAME:-default}` to read an environment variable. Validation errors name the field, what was',
    'expected and the value found, e.g. `Validation failed: chains[0].contracts[1].address must be a 20-byte hex',
    'address. Got 0x12.`',
    '',
    '| field | type | required | default | description |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
