import { z } from 'zod';

/**
 * A value a projection writes: a reference to the event (`args.<name>` with dots into tuples,
 * `block.number`, `block.timestamp`, `block.hash`, `tx.hash`, `log.address`, `log.index`, `event.id`),
 * or a literal (a boolean, an integer, or any other string).
 */
const projectionValue = z
  .union([z.string(), z.number(), z.boolean()], {
    invalid_type_error:
      'must be an event reference (args.<name>, block.number, …), a string, an integer or a boolean',
  })
  .describe(
    'A reference to the event (`args.<name>` (dots reach into tuples), `block.number`, `block.timestamp`, `block.hash`, `tx.hash`, `log.address`, `log.index`, `event.id`) or a literal: `true`/`false`, an integer, or any other string.',
  );

const fieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and contain only letters, digits and _');

const fieldMap = (what: string) =>
  z
    .record(fieldName, projectionValue)
    .refine((fields) => Object.keys(fields).length > 0, 'must name at least one field')
    .optional()
    .describe(what);

/** What one event does to the entity it names. */
export const projectionHandlerSchema = z
  .object({
    set: fieldMap('Fields set to a value (`field: value`).'),
    add: fieldMap('Integer fields increased by a value (256-bit signed; a field never written counts as 0).'),
    sub: fieldMap('Integer fields decreased by a value (256-bit signed; a field never written counts as 0).'),
    delete: z
      .literal(true, { errorMap: () => ({ message: 'must be true' }) })
      .optional()
      .describe('`true` removes the entity (a later event may create it again).'),
  })
  .strict();

/** One projection: entities of a contract, keyed by event values, changed by its events. */
export const projectionConfigSchema = z
  .object({
    name: z
      .string({ required_error: 'is required' })
      .regex(
        /^[A-Z][A-Za-z0-9]*$/,
        'must start with an upper-case letter and contain only letters and digits',
      )
      .describe('Name of the projection; its GraphQL type is `<Contract>_<Name>`.'),
    key: z
      .union([z.string(), z.array(z.string()).min(1, 'must list at least one value')], {
        invalid_type_error: 'must be an event reference or a list of them',
      })
      .describe(
        'What identifies an entity: an event reference such as `args.listingId`, or a list of them for a composite key. Every event in `on` must have it. The key fields are named after the last part of each reference (`args.order.id` → `id`, `tx.hash` → `txHash`).',
      ),
    on: z
      .record(z.string(), projectionHandlerSchema)
      .refine((handlers) => Object.keys(handlers).length > 0, 'must name at least one event')
      .describe(
        'Event name → what the event does to the entity named by `key`: `set`, `add`, `sub` (fields → values) or `delete: true`.',
      ),
  })
  .strict();

/** A projection as written in the config. */
export type ProjectionConfig = z.infer<typeof projectionConfigSchema>;
/** One event handler of a projection as written in the config. */
export type ProjectionHandlerConfig = z.infer<typeof projectionHandlerSchema>;
