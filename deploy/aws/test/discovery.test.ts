import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Discovery } from '../../../provisioner/discovery/discovery.js';
import { REPOSITORY_ROOT } from '../lib/bundled-function.js';
import {
  LOCAL_DISCOVERY_CONFIG,
  readLocalDiscoveryConfig,
  renderDiscoveryDocument,
} from '../lib/discovery.js';
import { AWS_DISCOVERY_CONFIG } from '../lib/dmp-stack.js';

const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com/api';

describe('renderDiscoveryDocument', () => {
  it("gives each descriptor environment local.yaml's technologies, kinds and timeouts, at the microservices' API URLs", () => {
    const document = renderDiscoveryDocument(
      readLocalDiscoveryConfig(),
      'production',
      ['production', 'staging'],
      (service) => `${API}/${service}`,
    );
    const discovery = Discovery.load(join(REPOSITORY_ROOT, AWS_DISCOVERY_CONFIG), 1_000, {
      DMP_DISCOVERY_DOCUMENT: JSON.stringify(document),
    });
    const local = Discovery.load(LOCAL_DISCOVERY_CONFIG, 1_000, {});
    expect(discovery.environments()).toEqual(['production', 'staging']);
    for (const environment of ['production', 'staging']) {
      for (const kind of ['outputPort', 'workload', 'observability'] as const) {
        expect(discovery.technologiesIn(environment, kind)?.sort()).toEqual(
          local.technologiesIn('production', kind)?.sort(),
        );
      }
      expect(discovery.endpointFor(environment, 's3cdp')).toEqual({ url: `${API}/s3`, timeoutMs: 900_000 });
      expect(discovery.endpointFor(environment, 'event-store')?.url).toBe(`${API}/event-store`);
      expect(discovery.endpointFor(environment, 'aws-lambda', 'workload')?.url).toBe(`${API}/workload`);
      expect(discovery.endpointFor(environment, 'aws-lambda', 'observability')?.url).toBe(
        `${API}/observability`,
      );
    }
  });

  it('refuses a template environment local.yaml does not have', () => {
    expect(() => renderDiscoveryDocument(readLocalDiscoveryConfig(), 'moon', ['x'], () => API)).toThrow(
      /no environment moon/,
    );
  });

  it('refuses a URL that names no microservice, rather than guess', () => {
    const placeholder = ['$', '{DMP_KAFKA_URL:-http://127.0.0.1:9}'].join('');
    const yaml = `environments:\n  production:\n    technologies:\n      kafka: { url: "${placeholder}" }\n`;
    expect(() => renderDiscoveryDocument(yaml, 'production', ['production'], () => API)).toThrow(
      /production\.technologies\.kafka: url \$\{DMP_KAFKA_URL[^ ]* names no microservice/,
    );
  });

  it('leaves the provisioner stopping with a clear error when the document is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmp-discovery-'));
    const file = join(dir, 'aws.yaml');
    writeFileSync(file, readFileSync(join(REPOSITORY_ROOT, AWS_DISCOVERY_CONFIG), 'utf8'));
    expect(() => Discovery.load(file, 1_000, {})).toThrow(/the discovery config .* is invalid/);
  });
});
