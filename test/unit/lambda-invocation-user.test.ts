import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertCanReach,
  foldersBlocking,
  parseInvocationUser,
} from '../../microservices/lambda-runtime/invocation-user.js';
import { removeDir } from '../support/local-stack.js';

const base = mkdtempSync(join(tmpdir(), 'dmp-invocation-user-'));
afterAll(() => removeDir(base));

describe('parseInvocationUser', () => {
  it('reads uid:gid and refuses anything else', () => {
    expect(parseInvocationUser('65534:65534')).toEqual({ uid: 65534, gid: 65534 });
    expect(parseInvocationUser('0:0')).toEqual({ uid: 0, gid: 0 });
    for (const bad of ['nobody', '1:', ':1', '1:2:3', '-1:0', '4294967295:1']) {
      expect(parseInvocationUser(bad)).toBeUndefined();
    }
  });
});

describe('foldersBlocking', () => {
  it('names the folders on the way that the user may not pass through', async () => {
    const data = join(base, 'data');
    const code = join(data, 'lambda');
    mkdirSync(code, { recursive: true });
    chmodSync(base, 0o755);
    chmodSync(data, 0o700);
    chmodSync(code, 0o711);
    const stranger = { uid: 4242, gid: 4242 };
    expect(await foldersBlocking(code, stranger)).toEqual([data]);
    await expect(assertCanReach(code, stranger)).rejects.toThrow(
      `which cannot reach the code folder ${code}: ${data} must let it pass (chmod o+x)`,
    );
    chmodSync(data, 0o711);
    expect(await foldersBlocking(code, stranger)).toEqual([]);
    await expect(assertCanReach(code, stranger)).resolves.toBeUndefined();
  });
});
