// Browser entry of the live dashboard (bundled into src/dashboard/dist/dashboard.js by buildDashboard.ts).
// Everything goes over one graphql-ws connection with the generated typed documents.
import {
  DashboardChainsDocument,
  DashboardEntityUpdatesDocument,
  DashboardFeedDocument,
  DashboardHeadsDocument,
  GatewayStatsDocument,
} from '../generated/graphql.ts';
import { renderChains } from './chainsView.ts';
import { connect, describeError, endpointUrl, request, subscribe } from './connection.ts';
import { createRefresher } from './createRefresher.ts';
import { byId } from './dom.ts';
import { createEntityFeedView } from './entityFeedView.ts';
import { createFeedModel } from './feedModel.ts';
import { createFeedView } from './feedView.ts';
import { renderRateChart } from './rateChart.ts';
import { createRateCounter } from './rateCounter.ts';
import { createReorgLog } from './reorgLog.ts';
import { renderReorgs } from './reorgsView.ts';

const maxFeedRows = 200;
const resubscribeMs = 1_000;
// Heads drive the chain table; this only covers a chain that stopped producing blocks.
const chainsFallbackMs = 10_000;

function main(): void {
  const connection = byId('connection');
  const url = endpointUrl(window.location);
  byId('endpoint').textContent = url;
  const client = connect({
    url,
    onState: (state) => {
      connection.dataset.state = state;
      connection.textContent = state;
    },
  });

  // Pipeline status: refreshed on every heads message, coalesced so that a burst of heads (a backfill
  // confirms many blocks at once) costs a query every half second at most.
  const chainsBody = byId('chains');
  const chainsError = byId('chains-error');
  const chains = createRefresher({
    minIntervalMs: 500,
    run: async () => {
      try {
        const result = await request(client, DashboardChainsDocument);
        if (result.data) renderChains(chainsBody, result.data.chains);
        chainsError.textContent = result.errors ? describeError(result.errors) : '';
      } catch (error) {
        chainsError.textContent = describeError(error);
      }
    },
  });

  // Active subscribers: `Query.gateway` may be missing on an older gateway; then the panel says so once.
  const subscribers = byId('active-subscribers');
  let statsSupported = true;
  const loadStats = async (): Promise<void> => {
    if (!statsSupported) return;
    try {
      const result = await request(client, GatewayStatsDocument);
      const stats = result.data?.gateway;
      if (stats) {
        subscribers.dataset.state = 'ok';
        subscribers.textContent = `${stats.activeSubscriptions} active subscriptions · ${stats.openConnections} open connections`;
      }
    } catch (error) {
      const message = describeError(error);
      if (/gateway/.test(message) && /Cannot query field|Unknown field|not.*exist/i.test(message)) {
        statsSupported = false;
        subscribers.dataset.state = 'unsupported';
        subscribers.textContent = 'n/a (this gateway does not report connection counts)';
      } else {
        subscribers.dataset.state = 'error';
        subscribers.textContent = `unavailable: ${message}`;
      }
    }
  };
  const stats = createRefresher({ minIntervalMs: 2_000, run: loadStats });

  const subscribeHeads = (): void => {
    subscribe(client, DashboardHeadsDocument, undefined, {
      next: () => {
        chains.request();
        stats.request();
      },
      error: (error) => {
        chainsError.textContent = `heads: ${describeError(error)}`;
        setTimeout(subscribeHeads, resubscribeMs);
      },
      complete: () => setTimeout(subscribeHeads, resubscribeMs),
    });
  };

  // Live feed with pending events; REMOVED deliveries also feed the reorg list.
  const feed = createFeedModel({ maxRows: maxFeedRows });
  const feedView = createFeedView(byId('feed'));
  const feedStatus = byId('feed-status');
  const eventCount = byId('event-count');
  const rate = createRateCounter({ windowSeconds: 60 });
  const reorgs = createReorgLog({ maxEntries: 20 });
  const reorgList = byId('reorgs');
  let delivered = 0;
  // The resumeToken of the last journal event: a resubscription continues gapless from it.
  let resumeAfter: string | undefined;
  const subscribeFeed = (): void => {
    feedStatus.textContent = resumeAfter ? 'resuming…' : 'live';
    subscribe(client, DashboardFeedDocument, resumeAfter ? { after: resumeAfter } : {}, {
      next: ({ events: event }) => {
        feedStatus.textContent = 'live';
        if (event.resumeToken) resumeAfter = event.resumeToken;
        const change = feed.apply(event);
        feedView.render(change);
        if (change.kind === 'unchanged') return;
        const now = Date.now();
        rate.record(now);
        delivered += 1;
        eventCount.textContent = String(delivered);
        if (reorgs.add(event, { wasConfirmed: change.row.previousStatus === 'CONFIRMED', nowMs: now })) {
          renderReorgs(reorgList, reorgs.entries());
        }
      },
      error: (error) => {
        // E.g. a slow-consumer close: the message carries the last cursor, and resumeAfter already has it.
        feedStatus.textContent = `interrupted (${describeError(error)}); resubscribing`;
        setTimeout(subscribeFeed, resubscribeMs);
      },
      complete: () => setTimeout(subscribeFeed, resubscribeMs),
    });
  };

  // Entity updates of every projection go into the same feed, one line each. Live only: after a
  // resubscription the feed goes on from what happens next.
  const entityFeed = createEntityFeedView({ tbody: byId('feed'), maxRows: maxFeedRows });
  const subscribeEntities = (): void => {
    subscribe(client, DashboardEntityUpdatesDocument, undefined, {
      next: ({ entityUpdates }) => entityFeed.add(entityUpdates),
      error: (error) => {
        feedStatus.textContent = `entity updates interrupted (${describeError(error)}); resubscribing`;
        setTimeout(subscribeEntities, resubscribeMs);
      },
      complete: () => setTimeout(subscribeEntities, resubscribeMs),
    });
  };

  const rateChart = byId('rate-chart') as unknown as SVGSVGElement;
  const perSecond = byId('events-per-second');
  const tick = () => {
    const now = Date.now();
    renderRateChart(rateChart, rate.series(now));
    perSecond.textContent = String(rate.perSecond(now));
  };

  renderReorgs(reorgList, []);
  tick();
  setInterval(tick, 1_000);
  setInterval(() => {
    chains.request();
    stats.request();
  }, chainsFallbackMs);
  chains.request();
  stats.request();
  subscribeHeads();
  subscribeFeed();
  subscribeEntities();
}

main();
