import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DISCOVERY_CONFIG, DEFAULT_GOVERNANCE_POLICY } from '../../provisioner/provisioner-config.js';
import { swaggerFile } from '../../shared/http/openapi.js';
import { RUNTIME_FOLDERS, runtimeRoot } from '../../shared/runtime-root.js';

const checkout = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

describe('runtimeRoot', () => {
  it('is the package root above the module, from the sources, whatever the working directory', () => {
    expect(runtimeRoot({})).toBe(checkout);
    for (const folder of RUNTIME_FOLDERS)
      expect(existsSync(`${runtimeRoot({})}/${folder}`), folder).toBe(true);
  });

  it('is DMP_HOME when set, resolved to an absolute path', () => {
    expect(runtimeRoot({ DMP_HOME: '/opt/dmp' })).toBe('/opt/dmp');
    expect(runtimeRoot({ DMP_HOME: '/opt/dmp/' })).toBe('/opt/dmp');
  });

  it('holds every file a service reads by default', () => {
    for (const file of [
      swaggerFile('provisioner'),
      swaggerFile('state-service'),
      swaggerFile('microservice'),
      DEFAULT_DISCOVERY_CONFIG,
      DEFAULT_GOVERNANCE_POLICY,
    ]) {
      expect(file.startsWith(`${checkout}/`), file).toBe(true);
      expect(existsSync(file), file).toBe(true);
    }
  });
});
