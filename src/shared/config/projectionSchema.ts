import { type ZodErrorMap, z } from 'zod';

/** Error map of a union: zod's own says only "Invalid input". */
const unionError =
  (expected: string): ZodErrorMap =>
  (issue, ctx) =>
    ctx.data === undefined
      ? { message: 'is required' }
      : issue.code === 'invalid_union' || issue.code === 'invalid_type'
        ? { message: `must be ${expected}` }
        : { message: ctx.defaultError };

/**
 * A value a projection writes: a reference to the event (`args.<name>` with dots into tuples,
 * `block.number`, `block.timestamp`, `block.hash`, `tx.hash`, `log.address`, `log.index`, `event.id`),
 * or a literal (a boolean, an integer, or any other string).
 */
const projectionValue = z
  .union([z.string(), z.number(), z.boolean()], {
    errorMap: unionError(
      'an event reference (args.<name>, block.number, …), a string, an integer or a boolean',
    ),
  })
  .describe(
    "The value written: a reference to the event (`args.<name>` (dots reach into tuples), `block.number`, `block.timestamp`, `block.hash`, `tx.hash`, `log.address`, `log.index`, `event.id`) or a literal: `true`/`false`, an integer (up to 2^53 − 1; a BigInt), or any other string (a String). Its type settles the field's type: uint/int → BigInt, address → Address, bool → Boolean, bytes → Hex, string → String.",
  );

const integerValue = projectionValue.describe(
  'The amount: an integer reference (a uint/int argument, `block.number`, `block.timestamp`, `log.index`) or an integer literal.',
);

const fieldMap = (what: string, value = projectionValue) =>
  z
    .record(
      // Field names are checked in resolveProjections, whose message can show the name itself.
      z.string().describe('field'),
      value,
    )
    .refine((fields) => Object.keys(fields).length > 0, 'must name at least one field')
    .optional()
    .describe(what);

/** What one event does to the entity it names. */
export const projectionHandlerSchema = z
  .object({
    set: fieldMap(
      'Fields set to a value (`field: value`). Field names start with a letter and contain only letters, digits and _; `cursor`, `updatedAtBlock`, `deleted`, `true`, `false`, `null` and the key fields are taken.',
    ),
    add: fieldMap(
      'Integer fields increased by an amount (256-bit signed; a field never written counts as 0).',
      integerValue,
    ),
    sub: fieldMap(
      'Integer fields decreased by an amount (256-bit signed; a field never written counts as 0; may go below 0).',
      integerValue,
    ),
    delete: z
      .literal(true, { errorMap: () => ({ message: 'must be true (leave it out to keep the entity)' }) })
      .optional()
      .describe(
        '`true` removes the entity (a later event may create it again, starting from empty). Cannot be combined with `set`, `add` or `sub` in the same event.',
      ),
  })
  .strict('a handler takes set, add, sub and delete')
  .describe(
    'What one event does to the entity its key names; at least one of `set`, `add`, `sub` or `delete: true`.',
  );

/** One projection: entities of a contract, keyed by event values, changed by its events. */
export const projectionConfigSchema = z
  .object({
    name: z
      .string({ required_error: 'is required' })
      .regex(
        /^[A-Z][A-Za-z0-9]*$/,
        'must start with an upper-case letter and contain only letters and digits',
      )
      .describe(
        'Name of the projection, unique per contract; its GraphQL type is `<Contract>_<Name>`. Starts with an upper-case letter; letters and digits only.',
      ),
    key: z
      .union([z.string(), z.array(z.string()).min(1, 'must list at least one value')], {
        errorMap: unionError('an event reference (args.<name>, tx.hash, …) or a list of them'),
      })
      .describe(
        'What identifies an entity: an event reference such as `args.listingId` (not a literal), or a list of them for a composite key. Every event in `on` must have it, with the same type. The key fields are named after the last part of each reference (`args.order.id` → `id`, `tx.hash` → `txHash`) and are never written by `set`/`add`/`sub`.',
      ),
    on: z
      .record(z.string().describe('Event'), projectionHandlerSchema)
      .refine((handlers) => Object.keys(handlers).length > 0, 'must name at least one event')
      .describe(
        'Event name (as in the ABI; not overloaded) → what the event does to the entity named by `key`.',
      ),
  })
  .strict('a projection takes name, key and on');

/** A projection as written in the config. */
export type ProjectionConfig = z.infer<typeof projectionConfigSchema>;
/** One event handler of a projection as written in the config. */
export type ProjectionHandlerConfig = z.infer<typeof projectionHandlerSchema>;
