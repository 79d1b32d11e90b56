/**
 * schema/write: writes schema/scenario.schema.json from src/scenario/json-schema.ts
 * (`npm run schema`; test/scenario/json-schema.test.ts fails when the file is stale).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioJsonSchema } from '../src/scenario/json-schema.ts';

writeFileSync(join(import.meta.dirname, 'scenario.schema.json'), `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
