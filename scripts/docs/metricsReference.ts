import { writeFileSync } from 'node:fs';
import { renderMetricsReference } from '../../src/cli/renderMetricsReference.ts';

writeFileSync('docs/metrics.md', await renderMetricsReference());
process.stdout.write('Wrote docs/metrics.md\n');
