import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { readmeFile, renderReadme } from './generate-config-docs.js';

test('the README configuration table matches the config schemas (run `npm run generate` after changing one)', () => {
  const readme = readFileSync(readmeFile, 'utf8');
  expect(readme).toBe(renderReadme(readme));
  for (const variable of ['VIGIL_BUS', 'KAFKA_BROKERS', 'VIGIL_INTERVAL_MS', 'VIGIL_SMTP_URL', 'VIGIL_EMAIL_TO', 'VIGIL_HTTP_PORT']) {
    expect(readme).toContain(`\`${variable}\``);
  }
});
