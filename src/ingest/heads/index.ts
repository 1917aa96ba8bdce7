import { webSocket } from 'viem';
import type { Logger } from '../../shared/logger.ts';
import { ingestMetrics } from '../metrics.ts';

/** Parameters of {@link createHeadWatcher}. */
export type CreateHeadWatcherParameters = {
  chainId: number;
  /** WebSocket endpoint; without it heads are polled over HTTP. */
  wsUrl?: string | undefined;
  /** Poll interval while polling (no socket, socket down or stalled). */
  pollIntervalMs: number;
  /** How long the socket may lag behind polled heads before it counts as stalled. */
  stallMs?: number;
  logger: Logger;
};

/**
 * Wakes the chain loop on new heads. The loop itself reads the head over HTTP, so notifications only
 * decide *when* to look, never *what* is canonical: a lost notification cannot cause a gap.
 */
export type HeadWatcher = {
  /** Resolves on the next head notification, or after the poll/heartbeat interval. */
  next(signal: AbortSignal): Promise<void>;
  /** Reports the head the loop read over HTTP, to detect a stalled socket. */
  observe(headNumber: number): void;
  /** True while heads come over the socket. */
  usingWebSocket(): boolean;
  stop(): void;
};

/**
 * Creates a head watcher: WebSocket newHeads, HTTP polling as fallback. Reconnects are ours, not
 * viem's: viem's reconnect loop prints each failed attempt to stderr (the raw error object, every
 * second while an endpoint is down), outside the logs; here a failed socket is closed and a new one
 * opened with the next subscription attempt, and the reason goes to the log and the metrics.
 */
export function createHeadWatcher({
  chainId,
  wsUrl,
  pollIntervalMs,
  stallMs = Math.max(3 * pollIntervalMs, 3_000),
  logger,
}: CreateHeadWatcherParameters): HeadWatcher {
  const chain = String(chainId);
  let healthy = false;
  let wsHead = -1;
  let aheadSince: number | undefined;
  let wake: (() => void) | undefined;
  let pendingWake = false;
  let unwatch: (() => void) | undefined;
  let resubscribeTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const transport = wsUrl
    ? webSocket(wsUrl, {
        reconnect: false,
        keepAlive: { interval: 5_000 },
        retryCount: 0,
        timeout: 10_000,
      })({ retryCount: 0 }).value
    : undefined;

  let degraded = false;
  const setHealthy = (value: boolean, reason: string) => {
    if (healthy === value) return;
    healthy = value;
    ingestMetrics.headsMode.set({ chain_id: chain }, value ? 1 : 0);
    if (value) {
      // The first WebSocket head is the expected start (debug); a recovery after polling is news.
      logger[degraded ? 'info' : 'debug']({ msg: 'Heads over WebSocket', chain_id: chainId });
    } else {
      degraded = true;
      logger.warn({ msg: 'Polling heads over HTTP', chain_id: chainId, reason });
    }
  };

  const notify = () => {
    if (wake) {
      const resolve = wake;
      wake = undefined;
      resolve();
    } else pendingWake = true;
  };

  // A socket that failed is closed before the next attempt, which then opens a new one (viem keeps
  // one client per URL, and without its reconnect a closed one stays closed).
  let socketFailed = false;
  const subscribe = () => {
    if (!transport || stopped) return;
    unwatch?.();
    let active = true;
    let unsubscribe: (() => Promise<unknown>) | undefined;
    unwatch = () => {
      active = false;
      void unsubscribe?.().catch(() => {});
    };
    const onError = (error: Error) => {
      if (!active) return;
      socketFailed = true;
      logger.debug({ msg: 'Head subscription failed', chain_id: chainId, err: error.message.split('\n')[0] });
      setHealthy(
        false,
        `socket error: ${error.message.split('\n')[0]?.replace(/\b(wss?|https?):\/\/\S+/g, '[url]')}`,
      );
      scheduleResubscribe();
    };
    const discardFailed = socketFailed
      ? transport.getRpcClient().then(
          (rpc) => rpc.close(),
          () => {},
        )
      : Promise.resolve();
    socketFailed = false;
    void discardFailed
      .then(() => {
        if (!active || stopped) throw new Error('head subscription replaced');
        return transport.subscribe({
          params: ['newHeads'],
          onData: (data: { result?: { number?: string } }) => {
            if (!active || !data.result?.number) return;
            wsHead = Math.max(wsHead, Number.parseInt(data.result.number, 16));
            aheadSince = undefined;
            setHealthy(true, 'head received');
            notify();
          },
          onError,
        });
      })
      .then(
        (subscription) => {
          unsubscribe = subscription.unsubscribe;
          if (!active) void unsubscribe().catch(() => {});
        },
        (error: Error) => onError(error),
      );
  };

  const scheduleResubscribe = () => {
    if (resubscribeTimer || stopped) return;
    resubscribeTimer = setTimeout(
      () => {
        resubscribeTimer = undefined;
        subscribe();
      },
      Math.max(500, pollIntervalMs),
    );
    resubscribeTimer.unref();
  };

  ingestMetrics.headsMode.set({ chain_id: chain }, 0);
  subscribe();

  return {
    next(signal) {
      if (pendingWake) {
        pendingWake = false;
        return Promise.resolve();
      }
      // With a healthy socket the timer is only a heartbeat that catches a silently dead subscription.
      const delay = healthy ? Math.max(pollIntervalMs * 4, 1_000) : pollIntervalMs;
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, delay);
        signal.addEventListener('abort', done, { once: true });
        wake = done;
      });
    },
    observe(headNumber) {
      if (!transport) return;
      // Before the first notification, the head read over HTTP is the baseline the socket must beat.
      if (wsHead < 0) wsHead = headNumber;
      if (headNumber <= wsHead) {
        aheadSince = undefined;
        return;
      }
      const now = Date.now();
      aheadSince ??= now;
      if (now - aheadSince >= stallMs) {
        aheadSince = undefined;
        setHealthy(false, `no WebSocket head for ${stallMs} ms while the chain advanced`);
        subscribe();
      }
    },
    usingWebSocket: () => healthy,
    stop() {
      stopped = true;
      clearTimeout(resubscribeTimer);
      unwatch?.();
      unwatch = undefined;
      void transport
        ?.getRpcClient()
        .then((rpc) => rpc.close())
        .catch(() => {});
      notify();
    },
  };
}
