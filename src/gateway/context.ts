import type { ResolvedConfig } from '../shared/config/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { RedisClient } from '../shared/redis.ts';
import type { DirectDelivery } from './fanout/index.ts';
import type { ChannelHub } from './pubsub/channelHub.ts';
import type { Catalog } from './schema/catalog.ts';

/** Long-lived parts every resolver uses. */
export type GatewayServices = {
  config: ResolvedConfig;
  keyPrefix: string;
  /** Command connection (queries, journal reads). */
  redis: RedisClient;
  /** Multiplexed pub/sub subscriptions (one subscriber connection per gateway). */
  hub: ChannelHub;
  catalog: Catalog;
  logger: Logger;
};

/** Who is calling; present when a valid JWT was given. */
export type Viewer = { subject: string | undefined; claims: Record<string, unknown> };

/** A subscription's direct delivery, which records whether its stream took it (push mode). */
export type GatewayDelivery = DirectDelivery & {
  /** True once a stream opened it: the stream delivers by itself and never yields. */
  readonly opened: boolean;
};

/** Per-operation GraphQL context. */
export type GatewayContext = {
  services: GatewayServices;
  viewer: Viewer | undefined;
  /**
   * graphql-ws subscriptions only: lets an event stream write its frames to the socket itself
   * (push mode) instead of being pulled and executed per subscriber.
   */
  delivery?: GatewayDelivery;
};
