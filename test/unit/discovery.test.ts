import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Discovery, interpolateEnv } from '../../provisioner/discovery/discovery.js';
import { DEFAULT_DISCOVERY_CONFIG } from '../../provisioner/provisioner-config.js';
import { ConfigError } from '../../shared/config/env-reader.js';

function writeConfig(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dmp-discovery-test-')), 'discovery.yaml');
  writeFileSync(path, text);
  return path;
}

describe('Discovery', () => {
  it('resolves the local config, reading URLs from the environment with defaults', () => {
    const discovery = Discovery.load(DEFAULT_DISCOVERY_CONFIG, 600_000, {
      DMP_S3_URL: 'http://10.0.0.1:9000/',
    });
    expect(discovery.technologiesIn('test')).toEqual(['s3cdp', 's3']);
    expect(discovery.endpointFor('test', 's3cdp')).toEqual({
      url: 'http://10.0.0.1:9000',
      timeoutMs: 600_000,
    });
    expect(Discovery.load(DEFAULT_DISCOVERY_CONFIG, 1_000, {}).endpointFor('test', 's3')?.url).toBe(
      'http://127.0.0.1:8091',
    );
  });

  it('uses the per-technology timeout when the config sets one', () => {
    const discovery = Discovery.load(DEFAULT_DISCOVERY_CONFIG, 1_000, {});
    expect(discovery.endpointFor('production', 's3')?.timeoutMs).toBe(900_000);
  });

  it('knows nothing of unknown environments or technologies, including prototype names', () => {
    const discovery = Discovery.load(DEFAULT_DISCOVERY_CONFIG, 1_000, {});
    expect(discovery.technologiesIn('staging')).toBeUndefined();
    expect(discovery.technologiesIn('constructor')).toBeUndefined();
    expect(discovery.endpointFor('test', 'toString')).toBeUndefined();
    expect(discovery.endpointFor('test', 'oracle')).toBeUndefined();
  });

  it('stops startup with every problem of an invalid config', () => {
    const path = writeConfig(
      'environments:\n  test:\n    technologies:\n      s3: { url: "ftp://x", timeoutSeconds: 0 }\n',
    );
    expect(() => Discovery.load(path, 1_000, {})).toThrow(ConfigError);
    try {
      Discovery.load(path, 1_000, {});
    } catch (error) {
      expect((error as Error).message).toMatch(/url/);
      expect((error as Error).message).toMatch(/timeoutSeconds/);
    }
  });

  it('names a missing file', () => {
    expect(() => Discovery.load('/nonexistent/discovery.yaml', 1_000, {})).toThrow(
      /cannot read the discovery config/,
    );
  });
});

describe('interpolateEnv', () => {
  it('replaces variables, falls back to defaults, and leaves other text alone', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the ${VAR} syntax is what is under test
    expect(interpolateEnv('a=${A} b=${B:-dflt} c=${C} $D', { A: '1', C: '' })).toBe('a=1 b=dflt c= $D');
  });
});
