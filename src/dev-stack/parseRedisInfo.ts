/**
 * The `field:value` lines of an `INFO` or `CLUSTER INFO` reply as a record; section headers
 * (`# Replication`) and blank lines are skipped.
 */
export function parseRedisInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}
