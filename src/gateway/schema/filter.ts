import type { ChainEvent, JsonValue } from '../../domain/index.ts';

/** An `EventFilter.args` entry: the named arg must equal the value. */
export type ArgCondition = { name: string; value: string };

function normalize(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    if (/^0x[0-9a-fA-F]*$/.test(value)) return value.toLowerCase();
    if (/^-?\d+$/.test(value)) return BigInt(value).toString();
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const acceptAll = (_event: ChainEvent): boolean => true;

/**
 * Builds the predicate of an event filter: event names are OR-ed; arg conditions with the same name
 * are OR-ed and different names AND-ed. Hex compares case-insensitively, integers numerically.
 */
export function matchEvents(eventNames: string[] | undefined, args: ArgCondition[] | undefined) {
  const names = eventNames && eventNames.length > 0 ? new Set(eventNames) : undefined;
  const byName = new Map<string, Set<string>>();
  for (const condition of args ?? []) {
    const set = byName.get(condition.name) ?? new Set<string>();
    set.add(normalize(condition.value) ?? '');
    byName.set(condition.name, set);
  }
  // Most subscriptions filter by contract only: they share one predicate (a subscription keeps its
  // predicate for its whole life).
  if (!names && byName.size === 0) return acceptAll;
  return (event: ChainEvent): boolean => {
    if (names && (event.eventName === null || !names.has(event.eventName))) return false;
    for (const [name, accepted] of byName) {
      const actual = normalize(event.args[name]);
      if (actual === undefined || !accepted.has(actual)) return false;
    }
    return true;
  };
}
