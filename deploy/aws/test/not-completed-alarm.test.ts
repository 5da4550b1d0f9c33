import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/logging/logger.js';
import { descriptorYaml } from '../../../test/support/descriptors.js';
import { freePort } from '../../../test/support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../../../test/support/test-platform.js';
import { NOT_COMPLETED_PATTERN, OPERATION_FINISHED } from '../lib/alarms.js';

/**
 * The alarm is only as good as the log line it counts: a real provisioner
 * takes an operation to NOT_COMPLETED, and the line it logs must carry the
 * fields the stack's metric filter matches.
 */
let platform: TestPlatform;
const lines: Record<string, unknown>[] = [];
let notCompletedLogged: Promise<Record<string, unknown>>;

beforeAll(async () => {
  let found: (line: Record<string, unknown>) => void = () => undefined;
  notCompletedLogged = new Promise((resolve) => {
    found = resolve;
  });
  const logger = createLogger('provisioner', 'info', {
    write(text: string) {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      if (line.msg === OPERATION_FINISHED.msg && line[OPERATION_FINISHED.stateField] === 'NOT_COMPLETED')
        found(line);
    },
  });
  platform = await startTestPlatform({
    deadPort: await freePort(),
    logger,
  });
});

afterAll(async () => {
  await platform?.close();
});

describe('the NOT_COMPLETED alarm', () => {
  it("matches the provisioner's own log line for an operation that ends NOT_COMPLETED", async () => {
    const response = await platform.api
      .post('/v1/dataproduct')
      .set('content-type', 'application/yaml')
      // Technology `unreachable` has no microservice and a one-second transit timeout: the operation ends
      // NOT_COMPLETED once that second is spent waiting for it.
      .send(descriptorYaml('unreachable', [{ name: 'first', technology: 'unreachable' }]));
    expect(response.status).toBe(202);
    const line = await notCompletedLogged;
    expect(line.operationId).toBe(response.body.operationId);
    // The stack's filter (stack.test.ts checks the template uses this one) is made of that line's values.
    expect(NOT_COMPLETED_PATTERN.logPatternString).toBe(
      `{ ($.msg = "${line.msg}") && ($.${OPERATION_FINISHED.stateField} = "${line[OPERATION_FINISHED.stateField]}") }`,
    );
  });
});
