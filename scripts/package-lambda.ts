import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { zipSync } from 'fflate';
import { bundledPackages, isMainModule, NODE_BUNDLE, REPO_ROOT } from './node-bundle.js';

/** The microservices that run as Lambda functions behind API Gateway, each from `microservices/<name>/lambda.ts`. */
export const LAMBDA_SERVICES = ['s3', 'event-store', 'observability', 'workload'] as const;
export type LambdaService = (typeof LAMBDA_SERVICES)[number];

/** The handler setting of every package: `index.mjs`, export `handler`. */
export const LAMBDA_HANDLER = 'index.handler';

export const LAMBDA_DIR = join(REPO_ROOT, 'dist/lambda');

/** A fixed timestamp inside the zips: the same code makes the same bytes, so a deploy sees no change. */
const ZIP_MTIME = new Date('2024-01-01T00:00:00Z');

/**
 * Packages of the HTTP services that a function must not take in: swagger-ui
 * reads its files next to its module at load, which fails inside a bundle,
 * and the rest is dead weight at every cold start.
 */
const SERVER_ONLY_PACKAGES = [/^swagger-ui/, /^prom-client$/, /^pino-http$/, /^dynalite$/, /^s3rver$/];

export interface LambdaPackage {
  service: LambdaService;
  file: string;
  bytes: number;
  sha256: string;
  handler: string;
  metafile: Metafile;
}

/**
 * One zip per microservice: its handler bundled and minified into `index.mjs`
 * with every dependency, the AWS SDK included (the versions pinned in
 * package-lock.json, tested here, rather than whatever the Node 20 runtime
 * happens to carry), and `index.mjs.map` (file names and lines, without the
 * sources' text, which would triple the size; run with
 * `NODE_OPTIONS=--enable-source-maps` to use it).
 */
export async function packageLambdas(outDir = LAMBDA_DIR): Promise<LambdaPackage[]> {
  mkdirSync(outDir, { recursive: true });
  const packages: LambdaPackage[] = [];
  for (const service of LAMBDA_SERVICES) packages.push(await packageLambda(service, outDir));
  return packages;
}

async function packageLambda(service: LambdaService, outDir: string): Promise<LambdaPackage> {
  const result = await build({
    ...NODE_BUNDLE,
    entryPoints: [`microservices/${service}/lambda.ts`],
    // Written into the zip, not here: a fixed name keeps the source map's paths, and so the bytes, the same
    // whatever outDir is.
    outfile: join(LAMBDA_DIR, service, 'index.mjs'),
    write: false,
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    metafile: true,
  });
  const serverOnly = bundledPackages(result.metafile).filter((name) =>
    SERVER_ONLY_PACKAGES.some((pattern) => pattern.test(name)),
  );
  if (serverOnly.length > 0) {
    throw new Error(
      `the ${service} Lambda package must not contain ${serverOnly.join(', ')}: ` +
        `microservices/${service}/lambda.ts reaches the HTTP service's modules`,
    );
  }
  const files: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const output of result.outputFiles) {
    const name = output.path.endsWith('.map') ? 'index.mjs.map' : 'index.mjs';
    files[name] = [output.contents, { mtime: ZIP_MTIME }];
  }
  const zip = zipSync(files, { level: 9, mtime: ZIP_MTIME });
  const file = join(outDir, `${service}.zip`);
  writeFileSync(file, zip);
  return {
    service,
    file,
    bytes: zip.byteLength,
    sha256: createHash('sha256').update(zip).digest('hex'),
    handler: LAMBDA_HANDLER,
    metafile: result.metafile,
  };
}

if (isMainModule(import.meta.url)) {
  for (const lambda of await packageLambdas()) {
    process.stdout.write(
      `${relative(REPO_ROOT, lambda.file)}  ${(lambda.bytes / 1024 / 1024).toFixed(2)} MB  handler ${lambda.handler}  ` +
        `(${bundledPackages(lambda.metafile).length} packages inside)\n`,
    );
  }
}
