import { z } from 'zod';
import { isAddress } from '../../domain/evm.ts';
import { projectionConfigSchema } from './projectionSchema.ts';

const address = z
  .string({ required_error: 'is required', invalid_type_error: 'must be a 20-byte hex address' })
  .refine((value) => isAddress(value, { strict: false }), 'must be a 20-byte hex address')
  .transform((value) => value.toLowerCase() as `0x${string}`);

const url = (protocols: string[]) =>
  z.string({ required_error: 'is required' }).refine(
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
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and contain only letters, digits and _')
      .describe('Name of the contract; prefixes its GraphQL type names (letters, digits, _).'),
    address: address
      .optional()
      .describe(
        'Contract address (any case; stored lower-case). Required, unless `factory` makes the entry a template.',
      ),
    abi: z
      .string()
      .min(1, 'must be erc20, erc721, erc1155 or a path to a JSON ABI')
      .describe('`erc20`, `erc721`, `erc1155`, or a path to a JSON ABI file (relative to the config file).'),
    startBlock: z
      .number()
      .int()
      .nonnegative('must be a block number >= 0')
      .default(0)
      .describe('First block to backfill from.'),
    projections: z
      .array(projectionConfigSchema)
      .optional()
      .describe(
        'State kept for this contract: entities keyed by event values, changed by its events (`set`, `add`, `sub`, `delete`), reversed on REMOVED, queried and subscribed to over GraphQL. See docs/projections.md.',
      ),
    factory: z
      .object({
        contract: z
          .string({ required_error: 'is required' })
          .min(1, 'must name a contract of this chain')
          .describe('Name of the factory: a contract entry of the same chain that has an address.'),
        event: z
          .string({ required_error: 'is required' })
          .min(1, 'must name an event of the factory')
          .describe("The factory's event that announces a new contract (as named in its ABI)."),
        address: z
          .string({ required_error: 'is required' })
          .regex(
            /^args\.[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/,
            'must be args.<name> (dots reach into tuples)',
          )
          .describe(
            "Where the event holds the new contract's address: `args.<name>`, dots reach into tuples.",
          ),
      })
      .strict('a factory takes contract, event and address')
      .optional()
      .describe(
        "Makes the entry a template: every contract the factory announces with `event` is followed under this entry's ABI and projections, from the block of that event on. Leave out `address` and `startBlock`. See docs/factories.md.",
      ),
  })
  .strict()
  .superRefine((contract, ctx) => {
    if (contract.factory === undefined && contract.address === undefined)
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'is required (or set factory)' });
    if (contract.factory !== undefined && contract.address !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['address'],
        message: 'must be left out of a factory template (its contracts come from the factory)',
      });
  });

/** One chain and the contracts followed on it. */
export const chainConfigSchema = z
  .object({
    name: z.string().min(1).optional().describe('Display name of the chain.'),
    chainId: z.number().int().positive('must be a positive integer chain id').describe('EIP-155 chain id.'),
    rpc: z
      .object({
        ws: url(['ws:', 'wss:'])
          .optional()
          .describe('WebSocket endpoint for new heads (falls back to HTTP polling).'),
        http: url(['http:', 'https:']).describe('HTTP endpoint for logs, blocks and polling.'),
      })
      .strict()
      .describe('JSON-RPC endpoints; may contain credentials (never logged).'),
    confirmations: z
      .number()
      .int()
      .min(0, 'must be >= 0')
      .max(1000, 'must be <= 1000')
      .default(12)
      .describe('Blocks a block must be buried under before its events are confirmed (0 for dev chains).'),
    pollIntervalMs: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('Head polling interval in ms when heads come over HTTP.'),
    maxBlockRange: z
      .number()
      .int()
      .positive()
      .default(2000)
      .describe('Largest eth_getLogs block range during backfill.'),
    headerWindowBlocks: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'Confirmed block headers the ingestor keeps to follow a reorg below the confirmation depth (default max(2 × confirmations, 64)). A reorg deeper than confirmations + this window stops the chain with REORG_TOO_DEEP. Must not exceed `process.reorgWindowBlocks`, or the ingestor could retract events the processor can no longer reverse.',
      ),
    factoryLogFilter: z
      .object({
        maxAddressesPerCall: z
          .number()
          .int()
          .positive()
          .default(500)
          .describe(
            'Most addresses one `eth_getLogs` carries; larger sets of children are split into several calls.',
          ),
        topicOnlyAbove: z
          .number()
          .int()
          .positive()
          .default(5000)
          .describe(
            "Past this many children, one `eth_getLogs` by the templates' event selectors replaces the address lists, and blockwire keeps the logs of its children.",
          ),
      })
      .strict()
      .default({})
      .describe(
        "How the logs of factory-created contracts are asked for (providers cap a filter's addresses).",
      ),
    contracts: z
      .array(contractConfigSchema)
      .min(1, 'must list at least one contract')
      .describe('Contracts followed on this chain.'),
  })
  .strict();

/** Whole blockwire configuration file. */
export const configSchema = z
  .object({
    chains: z.array(chainConfigSchema).min(1, 'must list at least one chain').describe('Chains to follow.'),
    kafka: z
      .object({
        brokers: z
          .preprocess(
            // `- ${KAFKA_BROKERS}` with `KAFKA_BROKERS=a:9092,b:9092` is one item holding several
            // brokers: the variable is comma-separated everywhere (the CLI reads it that way too).
            (value) =>
              Array.isArray(value)
                ? value.flatMap((item) =>
                    typeof item === 'string'
                      ? item
                          .split(',')
                          .map((broker) => broker.trim())
                          .filter((broker) => broker !== '')
                      : [item],
                  )
                : value,
            z
              .array(z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port'))
              .min(1, 'must list at least one broker'),
          )
          .describe(
            'Bootstrap brokers, `host:port`. An item may hold several, comma-separated (e.g. `${KAFKA_BROKERS}` with `KAFKA_BROKERS=a:9092,b:9092`).',
          ),
        clientId: z.string().default('blockwire').describe('Kafka client id.'),
        topicPrefix: z
          .string()
          .regex(/^[A-Za-z0-9._-]+$/, 'must contain only letters, digits, ., _ and -')
          // Kafka refuses topic names over 249 characters; the longest suffix is `.events.confirmed`.
          .max(232, 'must be at most 232 characters (Kafka topic names are limited to 249)')
          .default('blockwire')
          .describe(
            'Prefix of every topic: `<prefix>.events.confirmed`, `.events.pending`, `.checkpoints`, `.events.dlq`.',
          ),
        partitions: z
          .number()
          .int()
          .positive()
          .default(6)
          .describe('Partitions of the event topics (parallelism of the processor).'),
        replicationFactor: z
          .number()
          .int()
          .positive()
          .default(1)
          .describe(
            'Replicas of each topic blockwire creates (at most the number of brokers). Existing topics are left as they are.',
          ),
        minInsyncReplicas: z
          .number()
          .int()
          .positive()
          .default(1)
          .describe(
            '`min.insync.replicas` of the topics blockwire creates: replicas that must have a write before it counts (at most `replicationFactor`).',
          ),
        eventsPerRecord: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(100)
          .describe(
            "Most events of one contract the ingestor packs into one `events.confirmed` record (`v: 2`, holding the events in chain order; a lone event stays a `v: 1` message). Packing saves most of Kafka's cost per event. Processors read both forms; when upgrading from a version whose processors read only `v: 1`, upgrade the processors first, or set 1 until they are.",
          ),
      })
      .strict()
      .describe('Kafka connection and topics.'),
    redis: z
      .object({
        url: url(['redis:', 'rediss:']).describe('Redis URL; may contain a password (never logged).'),
        keyPrefix: z.string().default('bw:').describe('Prefix of every Redis key and pub/sub channel.'),
        cluster: z
          .array(
            z
              .string()
              .regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port')
              .describe('A node of the cluster, host:port.'),
          )
          .min(1, 'must name at least one node')
          .optional()
          .describe(
            "Nodes of a Redis Cluster (host:port; a few are enough, the others are discovered). When set, blockwire talks to the cluster, with `url`'s user, password and TLS on every node; `url` is not used as an address.",
          ),
        replicaAcks: z
          .number()
          .int()
          .min(0)
          .default(1)
          .describe(
            "Redis Cluster only: replicas that must acknowledge (WAIT) the processor's writes before their Kafka offsets are committed, so a master that fails over to its replica keeps everything it acknowledged. At most the replicas the master has: a master left without any writes without waiting (if it fails too, its slots come back empty and the processor rebuilds from Kafka). 0 to never wait (a failover may then lose writes unnoticed).",
          ),
        pubsub: z
          .enum(['classic', 'sharded'])
          .optional()
          .describe(
            'Pub/sub of the live channels: `sharded` (SPUBLISH/SSUBSCRIBE, Redis 7 or later: each message stays on the shard that owns its channel, and the gateway keeps one subscriber connection per master) or `classic` (PUBLISH/SUBSCRIBE: on a cluster every node forwards every message to every other). Default: `sharded` with `cluster`, `classic` on one server. Set `classic` on a cluster of Redis 6. The processor and the gateway must use the same.',
          ),
      })
      .strict()
      .describe('Redis connection.'),
    process: z
      .object({
        groupId: z.string().optional().describe('Consumer group id (default `<topicPrefix>.process`).'),
        journalMaxEntries: z
          .number()
          .int()
          .positive()
          .default(100_000)
          .describe('Journal entries kept per contract; older ones stay replayable from Kafka.'),
        reorgWindowBlocks: z
          .number()
          .int()
          .positive()
          .default(1024)
          .describe(
            'Blocks during which an applied event stays reversible by REMOVED. Keep it above the deepest reorg you expect; a REMOVED older than this is logged and counted, not reversed.',
          ),
        sessionTimeoutMs: z
          .number()
          .int()
          .min(6_000)
          .default(10_000)
          .describe(
            "Kafka consumer session timeout: how soon a dead processor's partitions move to the others (the broker's minimum is usually 6000).",
          ),
      })
      .strict()
      .default({})
      .describe('Processor settings.'),
    ingest: z
      .object({
        lockTtlMs: z
          .number()
          .int()
          .min(1_000)
          .default(10_000)
          .describe(
            'TTL of the Redis lock that elects the active ingestor of a chain; a standby takes over within it.',
          ),
        backfillConcurrency: z
          .number()
          .int()
          .min(1)
          .max(64)
          .default(4)
          .describe(
            'eth_getLogs ranges a backfill fetches in parallel (events are still published in order).',
          ),
        blocksPerTransaction: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .default(25)
          .describe('Confirmed blocks published per Kafka transaction while following the head.'),
      })
      .strict()
      .default({})
      .describe('Ingestor settings.'),
    gateway: z
      .object({
        host: z.string().default('127.0.0.1').describe('Interface the gateway listens on.'),
        port: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .default(4000)
          .describe('HTTP/WebSocket port (0 picks a free one).'),
        workers: z
          .number()
          .int()
          .min(1)
          .max(64)
          .default(1)
          .describe(
            "Gateway processes sharing the port (Node's cluster module), each with its own Redis connections; 1 runs the gateway in the main process. The operations port's /metrics reports each worker (label `worker`). Also `--workers N`.",
          ),
        graphiql: z.boolean().default(true).describe('Serve GraphiQL at /graphql in browsers.'),
        introspection: z.boolean().default(true).describe('Allow schema introspection.'),
        maskErrors: z.boolean().default(true).describe('Hide internal error details from clients.'),
        cors: z
          .union([z.boolean(), z.array(z.string())])
          .default(true)
          .describe('CORS: true (any origin), false, or allowed origins.'),
        auth: z
          .object({
            jwtSecret: z
              .string()
              .min(16, 'must be at least 16 characters')
              .optional()
              .describe('HS256 secret for JWTs.'),
            jwksUrl: url(['http:', 'https:']).optional().describe('JWKS URL for asymmetric JWTs.'),
            issuer: z.string().optional().describe('Required `iss` claim.'),
            audience: z.string().optional().describe('Required `aud` claim.'),
            required: z.boolean().default(false).describe('Reject requests without a valid token.'),
          })
          .strict()
          .superRefine((auth, ctx) => {
            // Without a key no token can be verified: `required` would let everyone in as anonymous.
            if (!auth.jwtSecret && !auth.jwksUrl)
              ctx.addIssue({
                code: z.ZodIssueCode.custom,
                path: ['jwtSecret'],
                message: 'or gateway.auth.jwksUrl is required: without a key no token can be verified',
              });
            if (auth.jwtSecret && auth.jwksUrl)
              ctx.addIssue({
                code: z.ZodIssueCode.custom,
                path: ['jwksUrl'],
                message:
                  'must not be set together with gateway.auth.jwtSecret: choose one way to verify tokens',
              });
          })
          .optional()
          .describe(
            'Optional JWT authentication (HTTP `Authorization: Bearer`, WebSocket `connectionParams.authorization`). Needs exactly one of `jwtSecret` and `jwksUrl`.',
          ),
        trustProxy: z
          .boolean()
          .default(false)
          .describe(
            'Take the client address from the first `X-Forwarded-For` entry (set only behind a proxy that overwrites that header); the rate limit keys anonymous clients by it.',
          ),
        limits: z
          .object({
            maxDepth: z.number().int().positive().default(10).describe('Maximum query depth.'),
            maxAliases: z.number().int().positive().default(15).describe('Maximum aliases per operation.'),
            maxTokens: z.number().int().positive().default(2000).describe('Maximum tokens per document.'),
            maxCost: z
              .number()
              .int()
              .positive()
              .default(5000)
              .describe('Maximum estimated cost per operation.'),
            maxBodyBytes: z
              .number()
              .int()
              .positive()
              .default(100_000)
              .describe('Maximum HTTP request body size.'),
            subscriptionsPerConnection: z
              .number()
              .int()
              .positive()
              .default(50)
              .describe('Subscriptions one WebSocket may hold.'),
            subscriptionBuffer: z
              .number()
              .int()
              .positive()
              .default(1000)
              .describe('Events buffered per subscription before a slow client is closed.'),
            requestsPerMinute: z
              .number()
              .int()
              .positive()
              .default(600)
              .describe(
                "Operations (HTTP requests and WebSocket subscribes) per client per fixed 60-second window, counted in Redis and shared by every gateway. A client is the JWT `sub` when a valid token is sent, else the IP address. The window starts at the client's first operation; once it is used up, requests get 429 with `retry-after` until the window ends.",
              ),
          })
          .strict()
          .default({})
          .describe('Protection limits.'),
      })
      .strict()
      .default({})
      .describe('GraphQL gateway.'),
    ops: z
      .object({
        port: z
          .number()
          .int()
          .min(0, 'must be a port number (0 to 65535)')
          .max(65535, 'must be a port number (0 to 65535)')
          .optional()
          .describe(
            'Port of the operations server: `/metrics`, `/healthz` and `/readyz` (the readiness of every role the process runs), served by every process whatever its roles (0 picks a free one). Unset: only a process running the gateway serves them, on the gateway port. The gateway port keeps serving them either way. Must differ from `gateway.port`. The `METRICS_PORT` environment variable, when set, takes precedence over this field.',
          ),
        host: z
          .string()
          .min(1, 'must be a host name or address')
          .optional()
          .describe('Interface the operations server listens on (default `gateway.host`).'),
      })
      .strict()
      .default({})
      .describe(
        'Operations endpoints (metrics, liveness, readiness) on a port of their own, so probes and Prometheus reach every role, including those without a gateway.',
      ),
    telemetry: z
      .object({
        otlpEndpoint: url(['http:', 'https:'])
          .optional()
          .describe(
            'OTLP/HTTP endpoint of an OpenTelemetry collector, e.g. `http://localhost:4318`; spans go to `<otlpEndpoint>/v1/traces` (JSON) unless the URL already ends in `/v1/traces`. Unset: tracing is off and no OpenTelemetry SDK is started.',
          ),
        serviceName: z
          .string()
          .min(1, 'must not be empty')
          .default('blockwire')
          .describe('`service.name` resource attribute of every span.'),
        sampleRatio: z
          .number({ invalid_type_error: 'must be a number from 0 to 1' })
          .min(0, 'must be from 0 to 1')
          .max(1, 'must be from 0 to 1')
          .default(1)
          .describe(
            'Share of traces recorded, from 0 to 1, decided where a trace starts (the ingestor); the processor and gateway follow that decision.',
          ),
      })
      .strict()
      .default({})
      .describe(
        'OpenTelemetry tracing: one trace per published Kafka transaction, from the ingestor through the processor to the gateway delivery (W3C trace context in Kafka headers and channel messages).',
      ),
    connectTimeoutMs: z
      .number()
      .int()
      .min(0)
      .default(30_000)
      .describe(
        'How long a role waits at start for each of its dependencies (Kafka, Redis, the chain RPC) to answer once, retrying meanwhile. A dependency that never answered by then stops the process with one line naming the role, the endpoint (without credentials) and what to check. 0 waits forever. Outages after start are retried and reported by /readyz, whatever this is.',
      ),
  })
  .strict();

/** Validated configuration. */
export type Config = z.infer<typeof configSchema>;
/** Validated chain configuration. */
export type ChainConfig = z.infer<typeof chainConfigSchema>;
/** Validated contract configuration (ABI still as written). */
export type ContractConfig = z.infer<typeof contractConfigSchema>;
