import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ArtifactError, unpackArtifact } from '../../microservices/lambda-runtime/artifact-package.js';

const text = (value: string) => new TextEncoder().encode(value);

function refusal(bytes: Uint8Array, limits = { maxEntries: 100, maxUnpackedBytes: 1024 * 1024 }): string {
  try {
    unpackArtifact('code.zip', bytes, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactError);
    return (error as Error).message;
  }
  throw new Error('the package was accepted');
}

describe('unpackArtifact', () => {
  it('unpacks the files of a zip by relative path', () => {
    const files = unpackArtifact(
      'code.zip',
      zipSync({ 'index.mjs': text('export {}'), 'lib/a.js': text('1') }),
    );
    expect([...files.keys()].sort()).toEqual(['index.mjs', 'lib/a.js']);
  });

  it('counts folder entries against the entry limit too (a zip of empty folders is no free loop)', () => {
    const folders = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`d${index}/`, {}]));
    expect(refusal(zipSync(folders), { maxEntries: 5, maxUnpackedBytes: 1024 })).toMatch(
      /more than 5 entries/,
    );
  });

  it('refuses a package whose declared size passes the limit', () => {
    const big = zipSync({ 'a.bin': new Uint8Array(4096) });
    expect(refusal(big, { maxEntries: 10, maxUnpackedBytes: 1024 })).toMatch(/more than 1024 bytes/);
  });

  it('refuses a file that stands where another entry needs a folder, by name rather than by a filesystem error', () => {
    const clash = zipSync({ a: text('file'), 'a/b.js': text('inside') });
    const message = refusal(clash);
    expect(message).toMatch(/unsafe entries: "a\/b.js": .*file stands where this entry needs a folder/);
    expect(message).not.toMatch(/EEXIST|\/tmp/);
  });

  it('refuses entries that could escape the code folder, naming each', () => {
    const escaping = zipSync({ '../evil.js': text('x'), 'ok.js': text('y'), 'a/./b.js': text('z') });
    expect(refusal(escaping)).toMatch(/"\.\.\/evil\.js".*"a\/\.\/b\.js"/);
  });
});
