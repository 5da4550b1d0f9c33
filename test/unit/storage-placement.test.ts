import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAME, ownedFunctionName } from '../../microservices/lambda-runtime/lambda-naming.js';
import { ConfigError, EnvReader } from '../../shared/config/env-reader.js';
import { readStorageConfig } from '../../shared/storage/storage-config.js';
import {
  ancestorsOf,
  artifactPlacementProblem,
  DEFAULT_STORAGE_PLACEMENT,
  placeFolder,
  prefixesOverlap,
  renderRoot,
  rootTemplateProblem,
} from '../../shared/storage/storage-placement.js';

const sales = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
const unrooted = { rootTemplate: '', reservedPrefixes: ['artifacts'] };

/** Names as the descriptor schema lets them through (NAME_PATTERN). */
const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/).filter((value) => value !== '.' && value !== '..');
const ref = fc.record({
  environment: name,
  domain: name,
  name,
  version: fc.constantFrom('1.0.0', '2.3.4'),
});
/** Directories as parseS3Specific lets them through. */
const directory = fc.array(name, { minLength: 1, maxLength: 4 }).map((segments) => segments.join('/'));

describe('placeFolder', () => {
  it("puts a directory in the domain's space", () => {
    const thesis = { environment: 'test', domain: 'test_domain', name: 'test_name', version: '1.0.1' };
    expect(placeFolder(DEFAULT_STORAGE_PLACEMENT, thesis, 'test_dir/full')).toEqual({
      location: 'test/test_domain/test_dir/full',
    });
  });

  it('refuses a directory that repeats its own root, as descriptors written before placement did', () => {
    expect(placeFolder(DEFAULT_STORAGE_PLACEMENT, sales, 'test/sales/orders')).toEqual({
      problem: `directories are relative to this data product's space test/sales/: write "orders", not "test/sales/orders"`,
    });
    expect(placeFolder(DEFAULT_STORAGE_PLACEMENT, sales, 'test/sales')).toEqual({
      problem: expect.stringContaining('write a folder inside it'),
    });
    expect(placeFolder(DEFAULT_STORAGE_PLACEMENT, sales, 'test/salesx/orders')).toEqual({
      location: 'test/sales/test/salesx/orders',
    });
  });

  it('takes directories as written when the template is empty', () => {
    expect(placeFolder(unrooted, sales, 'data/raw')).toEqual({ location: 'data/raw' });
  });

  it.each([
    ['equals', 'artifacts', 'is the platform prefix artifacts/'],
    ['lies inside', 'artifacts/dmp-observability', 'lies inside the platform prefix artifacts/'],
  ])('refuses a folder that %s a platform prefix', (_case, folder, message) => {
    expect(placeFolder(unrooted, sales, folder)).toEqual({ problem: expect.stringContaining(message) });
  });

  it('refuses a folder that contains a platform prefix, segment by segment', () => {
    const nested = { rootTemplate: '', reservedPrefixes: ['platform/artifacts'] };
    expect(placeFolder(nested, sales, 'platform')).toEqual({
      problem: expect.stringContaining('contains the platform prefix platform/artifacts/'),
    });
    expect(placeFolder(nested, sales, 'platformx')).toEqual({ location: 'platformx' });
    expect(placeFolder(nested, sales, 'platform/artifactsx')).toEqual({ location: 'platform/artifactsx' });
  });

  it('refuses the whole space of an environment named like a platform prefix', () => {
    expect(placeFolder(DEFAULT_STORAGE_PLACEMENT, { ...sales, environment: 'artifacts' }, 'x')).toEqual({
      problem: expect.stringContaining('lies inside the platform prefix artifacts/'),
    });
  });

  it("never places two domains' folders so that one overlaps the other", () => {
    fc.assert(
      fc.property(ref, name, directory, directory, (a, otherDomain, first, second) => {
        fc.pre(otherDomain !== a.domain);
        const b = { ...a, domain: otherDomain };
        const placedA = placeFolder(DEFAULT_STORAGE_PLACEMENT, a, first);
        const placedB = placeFolder(DEFAULT_STORAGE_PLACEMENT, b, second);
        if ('location' in placedA && 'location' in placedB) {
          expect(prefixesOverlap(placedA.location, placedB.location)).toBe(false);
        }
      }),
    );
  });

  it('places every folder under its root, clear of the platform prefixes, or refuses it', () => {
    fc.assert(
      fc.property(ref, directory, (owner, folder) => {
        const placed = placeFolder(DEFAULT_STORAGE_PLACEMENT, owner, folder);
        if ('problem' in placed) {
          expect(
            owner.environment === 'artifacts' ||
              prefixesOverlap(folder, `${owner.environment}/${owner.domain}`),
          ).toBe(true);
          return;
        }
        expect(placed.location).toBe(`${owner.environment}/${owner.domain}/${folder}`);
        expect(prefixesOverlap(placed.location, 'artifacts')).toBe(false);
      }),
    );
  });
});

describe('renderRoot and rootTemplateProblem', () => {
  it('fills every placeholder', () => {
    expect(renderRoot('data/{environment}/{domain}/{dataProduct}/v{version}', sales)).toEqual({
      root: 'data/test/sales/orders/v1.0.0',
    });
  });

  it('refuses a root that could escape its place', () => {
    expect(renderRoot('{domain}', { ...sales, domain: '..' })).toEqual({
      problem: expect.stringContaining('"." or ".."'),
    });
    expect(renderRoot('x/{domain}', { ...sales, domain: '' })).toEqual({
      problem: expect.stringContaining('empty segments'),
    });
  });

  it.each([
    ['{environment}/{tenant}', 'unknown placeholder {tenant}'],
    ['/{environment}', 'empty segments'],
    ['{environment}//{domain}', 'empty segments'],
    ['{environment}/..', 'may contain only placeholders'],
    ['{environment}/a b', 'may contain only placeholders'],
  ])('refuses the template %s', (template, problem) => {
    expect(rootTemplateProblem(template)).toContain(problem);
  });

  it('accepts the default, an empty template, and literal segments', () => {
    for (const template of ['{environment}/{domain}', '', 'data/{environment}-{domain}']) {
      expect(rootTemplateProblem(template)).toBeUndefined();
    }
  });
});

describe('artifactPlacementProblem', () => {
  it("allows the domain's own space and the platform prefixes", () => {
    expect(artifactPlacementProblem(DEFAULT_STORAGE_PLACEMENT, sales, 'test/sales/jobs/count.zip')).toBe(
      undefined,
    );
    expect(
      artifactPlacementProblem(DEFAULT_STORAGE_PLACEMENT, sales, 'artifacts/dmp-observability/index.zip'),
    ).toBe(undefined);
  });

  it.each([
    ["another domain's artifact", 'test/finance/jobs/count.zip'],
    ["another environment's artifact", 'production/sales/jobs/count.zip'],
    ['a look-alike prefix', 'test/salesx/jobs/count.zip'],
    ['a key of no domain', 'jobs/count.zip'],
    ['a look-alike platform prefix', 'artifactsx/count.zip'],
  ])('refuses %s', (_case, key) => {
    expect(artifactPlacementProblem(DEFAULT_STORAGE_PLACEMENT, sales, key)).toMatch(
      /must lie under this domain's own prefix test\/sales\/ or under a platform prefix \(artifacts\/\)/,
    );
  });

  it('allows only platform artifacts when no root is configured', () => {
    expect(artifactPlacementProblem(unrooted, sales, 'artifacts/x.zip')).toBe(undefined);
    expect(artifactPlacementProblem(unrooted, sales, 'test/sales/x.zip')).toMatch(/only platform artifacts/);
  });

  it("never lets a domain run what lies in another domain's space", () => {
    fc.assert(
      fc.property(ref, name, directory, (owner, otherDomain, path) => {
        fc.pre(otherDomain !== owner.domain);
        const key = `${owner.environment}/${otherDomain}/${path}.zip`;
        expect(artifactPlacementProblem(DEFAULT_STORAGE_PLACEMENT, owner, key)).toBeDefined();
      }),
    );
  });
});

describe('ownedFunctionName', () => {
  it('is a valid Lambda name within 64 characters, readable, and the same for the same owner', () => {
    fc.assert(
      fc.property(ref, name, fc.option(name, { nil: undefined }), (owner, resource, lambdaName) => {
        const functionName = ownedFunctionName('dmp-wl', owner, resource, lambdaName);
        expect(functionName).toMatch(FUNCTION_NAME);
        expect(functionName).toMatch(/-[0-9a-f]{16}$/);
        expect(ownedFunctionName('dmp-wl', owner, resource, lambdaName)).toBe(functionName);
      }),
    );
    expect(ownedFunctionName('dmp-wl', sales, 'count', 'orders-count')).toMatch(
      /^dmp-wl-sales-orders-count-[0-9a-f]{16}$/,
    );
  });

  it('differs whenever the owner differs, even when the readable parts agree', () => {
    fc.assert(
      fc.property(ref, ref, name, name, (a, b, resourceA, resourceB) => {
        fc.pre(JSON.stringify([a, resourceA]) !== JSON.stringify([b, resourceB]));
        expect(ownedFunctionName('dmp-obs', a, resourceA, 'status')).not.toBe(
          ownedFunctionName('dmp-obs', b, resourceB, 'status'),
        );
      }),
    );
    // Same readable part ("finance-eu-x"), different owners.
    const finance = { ...sales, domain: 'finance' };
    const financeEu = { ...sales, domain: 'finance-eu' };
    expect(ownedFunctionName('dmp-wl', finance, 'r', 'eu-x')).not.toBe(
      ownedFunctionName('dmp-wl', financeEu, 'r', 'x'),
    );
  });
});

describe('ancestorsOf and prefixesOverlap', () => {
  it('list the folders above, nearest first, and compare segment by segment', () => {
    expect(ancestorsOf('a/b/c')).toEqual(['a/b', 'a']);
    expect(ancestorsOf('a')).toEqual([]);
    expect(prefixesOverlap('a/b', 'a')).toBe(true);
    expect(prefixesOverlap('a', 'a/b')).toBe(true);
    expect(prefixesOverlap('a/b', 'a/b')).toBe(true);
    expect(prefixesOverlap('a/bc', 'a/b')).toBe(false);
  });
});

describe('readStorageConfig', () => {
  it('defaults to the domain space, the artifacts prefix and the dmp-storage-owners table', () => {
    const reader = new EnvReader({});
    expect(readStorageConfig(reader)).toEqual({
      placement: { rootTemplate: '{environment}/{domain}', reservedPrefixes: ['artifacts'] },
      ownerTable: 'dmp-storage-owners',
    });
  });

  it('takes an empty template (or "/") as no root, and a list of platform prefixes', () => {
    for (const template of ['', '/']) {
      const reader = new EnvReader({
        DMP_STORAGE_ROOT_TEMPLATE: template,
        DMP_STORAGE_RESERVED_PREFIXES: 'artifacts, platform/shared/',
      });
      expect(readStorageConfig(reader).placement).toEqual({
        rootTemplate: '',
        reservedPrefixes: ['artifacts', 'platform/shared'],
      });
      reader.assertValid();
    }
  });

  it('stops at startup on a template or prefix that cannot be used', () => {
    const reader = new EnvReader({
      DMP_STORAGE_ROOT_TEMPLATE: '{environment}/{team}',
      DMP_STORAGE_RESERVED_PREFIXES: 'artifacts,../up',
    });
    readStorageConfig(reader);
    expect(() => reader.assertValid()).toThrow(ConfigError);
    expect(() => reader.assertValid()).toThrow(/DMP_STORAGE_ROOT_TEMPLATE=.*unknown placeholder \{team\}/);
    expect(() => reader.assertValid()).toThrow(/DMP_STORAGE_RESERVED_PREFIXES=\.\.\/up/);
  });
});
