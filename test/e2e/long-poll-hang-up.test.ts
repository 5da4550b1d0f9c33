import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/logging/logger.js';
import { descriptorYaml, statePath } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { waitFor } from '../support/wait-for.js';

const logLines: string[] = [];
const logSink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({
    deadPort: await freePort(),
    logger: createLogger('test', 'info', logSink),
  });
});

afterAll(async () => {
  await platform?.close();
});

describe('a follower that hangs up', () => {
  it('ends its long-poll quietly: no error logged by any service, and the next follower is answered', async () => {
    platform.gated.hold('slow');
    const posted = await platform.api
      .post('/v1/dataproduct')
      .set('Content-Type', 'application/yaml')
      .send(descriptorYaml('hung-up', [{ name: 'slow' }]));
    expect(posted.status).toBe(202);
    const creating = await waitFor(
      async () => (await platform.api.get(statePath('hung-up'))).body,
      (body) => body.resources?.[0]?.state === 'CREATING',
    );

    const follower = new AbortController();
    const following = fetch(
      `${platform.provisioner.url}${statePath('hung-up')}?changedAfter=${creating.historySeq}&waitMs=10000`,
      { headers: { authorization: `Bearer ${platform.tokens.admin}` }, signal: follower.signal },
    ).catch((error: Error) => error.name);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const linesBefore = logLines.length;
    follower.abort();
    expect(await following).toBe('AbortError');
    await new Promise((resolve) => setTimeout(resolve, 300));

    const errors = logLines
      .slice(linesBefore)
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((entry) => entry.level >= 50);
    expect(errors).toEqual([]);

    platform.gated.release();
    const next = await platform.api.get(
      `${statePath('hung-up')}?changedAfter=${creating.historySeq}&waitMs=10000`,
    );
    expect(next.status).toBe(200);
    expect(next.body.historySeq).toBeGreaterThan(creating.historySeq);
  });
});
