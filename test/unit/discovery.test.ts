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
    expect(discovery.technologiesIn('test', 'outputPort')).toEqual(['s3cdp', 's3', 'event-store']);
    expect(discovery.technologiesIn('test', 'workload')).toEqual([
      's3cdp',
      's3',
      'event-store',
      'aws-lambda',
    ]);
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

  it('lets a section per kind route one technology to a different microservice per kind', () => {
    const path = writeConfig(
      [
        'environments:',
        '  test:',
        '    technologies:',
        '      aws-lambda: { url: "http://generic:1" }',
        '      s3: { url: "http://s3:1" }',
        '    observability:',
        '      aws-lambda: { url: "http://observability:1", timeoutSeconds: 5 }',
        '    workload:',
        '      aws-lambda: { url: "http://workload:1" }',
        '      spark: { url: "http://spark:1" }',
        '',
      ].join('\n'),
    );
    const discovery = Discovery.load(path, 1_000, {});
    expect(discovery.endpointFor('test', 'aws-lambda', 'observability')).toEqual({
      url: 'http://observability:1',
      timeoutMs: 5_000,
    });
    expect(discovery.endpointFor('test', 'aws-lambda', 'workload')?.url).toBe('http://workload:1');
    expect(discovery.endpointFor('test', 'aws-lambda', 'outputPort')?.url).toBe('http://generic:1');
    expect(discovery.endpointFor('test', 'aws-lambda')?.url).toBe('http://generic:1');
    expect(discovery.endpointFor('test', 'spark', 'outputPort')).toBeUndefined();
    expect(discovery.technologiesIn('test', 'outputPort')).toEqual(['aws-lambda', 's3']);
    expect(discovery.technologiesIn('test', 'workload')).toEqual(['aws-lambda', 's3', 'spark']);
    expect(discovery.technologiesIn('test')).toEqual(['aws-lambda', 's3', 'spark']);
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
