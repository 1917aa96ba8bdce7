import { RpcError } from '../../shared/errors/index.ts';

/** Error codes the ingestor reacts to. */
export const rpcErrorCodes = {
  /** The node refuses the range or the response size: shrink the range. */
  rangeTooLarge: 'RPC_RANGE_TOO_LARGE',
  /** Rate limits, 5xx, timeouts, closed sockets: retry with backoff. */
  transient: 'RPC_TRANSIENT',
  /** The block asked for is unknown (reorged away or not yet indexed): resync. */
  blockNotFound: 'RPC_BLOCK_NOT_FOUND',
  /** Anything else: stop the role. */
  fatal: 'RPC_FATAL',
} as const;

const rangePatterns = [
  /too many (results|logs)/i,
  /range (is )?too (large|wide|big)/i,
  /block range/i,
  /query returned more than/i,
  /limit exceeded/i,
  /response (body |size )?(is )?too (large|big)/i,
  /size limit/i,
  /exceed(s|ed)? (max|the)/i,
  /max(imum)? (results|block range)/i,
];
const notFoundPatterns = [
  /unknown block/i,
  /block not found/i,
  /header not found/i,
  /not found/i,
  /cannot be found/i,
];
const transientPatterns = [
  /timed? ?out/i,
  /socket/i,
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN/,
  /fetch failed/i,
  /network/i,
  /rate limit/i,
  /too many requests/i,
  /closed/i,
];

function messagesOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current instanceof Error) {
      parts.push(current.message);
      const details = (current as { details?: unknown }).details;
      if (typeof details === 'string') parts.push(details);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(' | ');
}

function findField<T>(error: unknown, field: string, accept: (value: unknown) => value is T): T | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const value = (current as Record<string, unknown>)[field];
    if (accept(value)) return value;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

const urlPattern = /\b(https?|wss?):\/\/\S+/g;

const isNumber = (value: unknown): value is number => typeof value === 'number';

/**
 * Converts a viem/transport error of one JSON-RPC call into an {@link RpcError} whose `code` says how
 * the ingestor reacts (shrink, retry, resync, stop) and whose `retriable` flag drives withRetry.
 */
export function classifyRpcError(error: unknown, method: string): RpcError {
  if (error instanceof RpcError) return error;
  const text = messagesOf(error);
  // viem puts the endpoint URL (maybe with credentials) into its messages: keep only a redacted copy.
  const cause = new Error(text.replace(urlPattern, '[url]'));
  const status = findField(error, 'status', isNumber);
  const rpcCode = findField(error, 'code', isNumber);
  // The first line is viem's short message; URLs (which may carry credentials) are cut out.
  const short = (text.split('\n')[0] ?? 'unknown error')
    .replace(/\b(https?|wss?):\/\/\S+/g, '[url]')
    .slice(0, 300);
  if (rpcCode === -32005 || rangePatterns.some((pattern) => pattern.test(text)) || status === 413) {
    return new RpcError(`${method} refused the range: ${short}`, {
      code: rpcErrorCodes.rangeTooLarge,
      retriable: true,
      cause,
    });
  }
  if (
    status === 429 ||
    (status !== undefined && status >= 500) ||
    transientPatterns.some((p) => p.test(text))
  ) {
    return new RpcError(`${method} failed transiently: ${short}`, {
      code: rpcErrorCodes.transient,
      retriable: true,
      cause,
    });
  }
  if (notFoundPatterns.some((pattern) => pattern.test(text))) {
    return new RpcError(`${method} did not find the block: ${short}`, {
      code: rpcErrorCodes.blockNotFound,
      retriable: true,
      cause,
    });
  }
  return new RpcError(`${method} failed: ${short}`, {
    code: rpcErrorCodes.fatal,
    retriable: false,
    cause,
  });
}
