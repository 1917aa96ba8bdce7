// Longest token accepted: a client cannot make the gateway decode a huge string.
const maxTokenLength = 16_384;

/** Encodes a JSON value as an opaque, URL-safe token: `<prefix><base64url JSON>`. */
export function encodeOpaqueToken(prefix: string, value: unknown): string {
  return prefix + Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The JSON value of a token made by {@link encodeOpaqueToken} with `prefix`; undefined when it is not one (never throws). */
export function decodeOpaqueToken(prefix: string, token: string): unknown {
  if (!token.startsWith(prefix) || token.length > maxTokenLength) return undefined;
  try {
    return JSON.parse(Buffer.from(token.slice(prefix.length), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
