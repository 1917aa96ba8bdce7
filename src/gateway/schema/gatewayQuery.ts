import type { Gauge } from 'prom-client';
import { gatewayMetrics } from '../metrics.ts';
import type { Builder } from './builder.ts';

async function total(gauge: Gauge): Promise<number> {
  const { values } = await gauge.get();
  return values.reduce((sum, sample) => sum + sample.value, 0);
}

/** Adds `Query.gateway`: live load of the gateway instance that answers (for dashboards). */
export function addGatewayQuery(builder: Builder) {
  const stats = builder.objectRef<Record<string, never>>('GatewayStats').implement({
    description:
      'Load of the gateway instance that answered (each instance behind a load balancer counts its own).',
    fields: (t) => ({
      activeSubscriptions: t.int({
        description: 'Subscriptions currently streaming, over WebSocket and SSE.',
        resolve: () => total(gatewayMetrics.subscriptions),
      }),
      openConnections: t.int({
        description: 'Open WebSocket and SSE connections.',
        resolve: () => total(gatewayMetrics.connections),
      }),
    }),
  });
  builder.queryField('gateway', (t) => t.field({ type: stats, resolve: () => ({}) }));
}
