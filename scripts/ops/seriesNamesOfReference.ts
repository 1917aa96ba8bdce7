/**
 * The series names Prometheus stores for the metrics a metrics reference (docs/metrics.md) lists:
 * a counter or gauge under its name, a histogram as `_bucket`, `_sum` and `_count` (never under its
 * bare name), a summary under its name (quantiles), `_sum` and `_count`.
 */
export function seriesNamesOfReference(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of markdown.matchAll(/^\| `([A-Za-z_:][\w:]*)` \| (\w+) \|/gm)) {
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(`${name}${suffix}`);
    else names.add(name!);
  }
  return names;
}
