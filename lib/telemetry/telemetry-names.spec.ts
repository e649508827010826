import { readFileSync } from 'node:fs';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, METRICS } from './telemetry-names.js';

describe('instrumentation scope', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

  it('is the package: its name and version as package.json says', () => {
    expect(INSTRUMENTATION_NAME).toBe(pkg.name);
    expect(INSTRUMENTATION_VERSION).toBe(pkg.version);
  });

  it('names every metric under nest_provider_auth.', () => {
    for (const name of Object.values(METRICS)) expect(name).toMatch(/^nest_provider_auth\.[a-z_.]+$/);
  });
});
