import { describe, expect, it } from 'vitest';
import { hideHostPaths } from '../../microservices/lambda-runtime/hide-host-paths.js';

const ROOT = '/srv/dmp data/lambda';
const FOLDER = `${ROOT}/orders-fn/0123abcd`;

describe('hideHostPaths', () => {
  it('makes paths in the code folder relative to it, plain or as file URLs', () => {
    expect(
      hideHostPaths(
        `Cannot find module '${FOLDER}/lib/missing.mjs' imported from file:///srv/dmp%20data/lambda/orders-fn/0123abcd/index.mjs`,
        FOLDER,
        ROOT,
      ),
    ).toBe("Cannot find module 'lib/missing.mjs' imported from index.mjs");
    expect(hideHostPaths(`at handler (${FOLDER}/src/main.js:3:7)`, FOLDER, ROOT)).toBe(
      'at handler (src/main.js:3:7)',
    );
    expect(hideHostPaths(`in ${FOLDER}`, FOLDER, ROOT)).toBe('in .');
  });

  it("makes another function's path relative too, so that the code root is never named", () => {
    expect(hideHostPaths(`no access to ${ROOT}/sales-fn/99/index.mjs or ${ROOT}`, FOLDER, ROOT)).toBe(
      'no access to ../../sales-fn/99/index.mjs or ../..',
    );
  });

  it('leaves a path that only starts like the code root alone, and drops the platform’s own folders', () => {
    expect(hideHostPaths(`${ROOT}-backup/x`, FOLDER, ROOT)).toBe(`${ROOT}-backup/x`);
    expect(hideHostPaths(`${process.cwd()}/node_modules/x.js`, FOLDER, ROOT)).toBe('…/node_modules/x.js');
  });
});
