import { z } from 'zod';

const address = z
  .string({ required_error: 'is required', invalid_type_error: 'must be a 20-byte hex address' })
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address')
  .transform((value) => value.toLowerCase() as `0x${string}`);

const url = (protocols: string[]) =>
  z
    .string({ required_error: 'is required' })
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL` },
    );

/** One tracked contract. */
export const contractConfigSchema = z
  .object({
    /** Display name, also used in GraphQL type names; letters, digits and underscores. */
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and contain only letters, digits and _'),
    /** Contract address (any case; stored lower-case). */
    address,
    /** `erc20`, `erc721`, `erc1155`, or a path to a JSON ABI file (relative to the config file). */
    abi: z.string().min(1, 'must be erc20, erc721, erc1155 or a path to a JSON ABI'),
    /** First block to backfill from. */
    startBlock: z.number().int().nonnegative('must be a block number >= 0').default(0),
  })
  .strict();

/** One chain and the contracts followed on it. */
export const chainConfigSchema = z
  .object({
    name: z.string().min(1).optional(),
    chainId: z.number().int().positive('must be a positive integer chain id'),
    rpc: z
      .object({
        /** WebSocket endpoint for new heads. */
        ws: url(['ws:', 'wss:']).optional(),
        /** HTTP endpoint for historical logs and blocks. */
        http: url(['http:', 'https:']),
      })
      .strict(),
    /** Blocks a block must be buried under before its events are confirmed (0 for dev chains). */
    confirmations: z.number().int().min(0, 'must be >= 0').max(1000, 'must be <= 1000').default(12),
    /** Poll interval in ms when heads come over HTTP. */
    pollIntervalMs: z.number().int().positive().default(1000),
    /** Largest eth_getLogs block range during backfill. */
    maxBlockRange: z.number().int().positive().default(2000),
    contracts: z.array(contractConfigSchema).min(1, 'must list at least one contract'),
  })
  .strict();

/** Whole blockwire configuration file. */
export const configSchema = z
  .object({
    chains: z.array(chainConfigSchema).min(1, 'must list at least one chain'),
    kafka: z
      .object({
        brokers: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port')).min(1, 'must list at least one broker'),
        clientId: z.string().default('blockwire'),
        /** Prefix of every topic, e.g. `blockwire` → `blockwire.events.confirmed`. */
        topicPrefix: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must contain only letters, digits, ., _ and -').default('blockwire'),
        partitions: z.number().int().positive().default(6),
      })
      .strict(),
    redis: z
      .object({
        url: url(['redis:', 'rediss:']),
        /** Prefix of every Redis key and channel. */
        keyPrefix: z.string().default('bw:'),
      })
      .strict(),
    process: z
      .object({
        groupId: z.string().optional(),
        /** Journal entries kept per contract; older entries stay replayable from Kafka. */
        journalMaxEntries: z.number().int().positive().default(100_000),
      })
      .strict()
      .default({}),
    gateway: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(4000),
        graphiql: z.boolean().default(true),
        introspection: z.boolean().default(true),
        /** Hide internal error details from clients. */
        maskErrors: z.boolean().default(true),
        cors: z.union([z.boolean(), z.array(z.string())]).default(true),
        auth: z
          .object({
            jwtSecret: z.string().min(16, 'must be at least 16 characters').optional(),
            jwksUrl: url(['http:', 'https:']).optional(),
            issuer: z.string().optional(),
            audience: z.string().optional(),
            required: z.boolean().default(false),
          })
          .strict()
          .optional(),
        limits: z
          .object({
            maxDepth: z.number().int().positive().default(10),
            maxAliases: z.number().int().positive().default(15),
            maxTokens: z.number().int().positive().default(2000),
            maxCost: z.number().int().positive().default(5000),
            maxBodyBytes: z.number().int().positive().default(100_000),
            subscriptionsPerConnection: z.number().int().positive().default(50),
            subscriptionBuffer: z.number().int().positive().default(1000),
            requestsPerMinute: z.number().int().positive().default(600),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
  })
  .strict();

/** Validated configuration. */
export type Config = z.infer<typeof configSchema>;
/** Validated chain configuration. */
export type ChainConfig = z.infer<typeof chainConfigSchema>;
/** Validated contract configuration (ABI still as written). */
export type ContractConfig = z.infer<typeof contractConfigSchema>;
