import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../../src/shared/config/describeConfig.ts';

writeFileSync('docs/configuration.md', renderConfigReference());
process.stdout.write('Wrote docs/configuration.md\n');
