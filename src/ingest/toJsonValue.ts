import type { JsonValue } from '../domain/index.ts';

/** Converts a decoded ABI value to JSON: bigints become decimal strings so uint256 keeps its precision. */
export function toJsonValue(value: unknown): JsonValue {
  if (typeof value === 'bigint') return value.toString(10);
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    const result: Record<string, JsonValue> = {};
    for (const [key, inner] of Object.entries(value)) result[key] = toJsonValue(inner);
    return result;
  }
  return String(value);
}
