import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/env-reader.js';
import { withRequestId } from '../../shared/http/request-context.js';
import { chooseLogFormat } from '../../shared/logging/log-format.js';
import { createLogger } from '../../shared/logging/logger.js';
import { prettyLine } from '../../shared/logging/pretty-log.js';

describe('chooseLogFormat', () => {
  it('is pretty on a terminal and JSON everywhere else when DMP_LOG_FORMAT is unset or auto', () => {
    expect(chooseLogFormat({}, true)).toBe('pretty');
    expect(chooseLogFormat({}, false)).toBe('json');
    expect(chooseLogFormat({ DMP_LOG_FORMAT: '' }, true)).toBe('pretty');
    expect(chooseLogFormat({ DMP_LOG_FORMAT: 'auto' }, true)).toBe('pretty');
    expect(chooseLogFormat({ DMP_LOG_FORMAT: 'auto' }, false)).toBe('json');
  });

  it('lets DMP_LOG_FORMAT force either format whatever stdout is', () => {
    expect(chooseLogFormat({ DMP_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(chooseLogFormat({ DMP_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('refuses another value with a ConfigError naming the variable and the choices', () => {
    expect(() => chooseLogFormat({ DMP_LOG_FORMAT: 'text' }, true)).toThrow(ConfigError);
    expect(() => chooseLogFormat({ DMP_LOG_FORMAT: 'text' }, true)).toThrow(
      'DMP_LOG_FORMAT=text must be one of auto, json, pretty',
    );
  });
});

describe('prettyLine', () => {
  const time = new Date(2024, 4, 1, 12, 3, 4, 56).getTime();
  const TIME = /^\[12:03:04\.056\] /;

  it('reads time, level, service, message, then the fields as key=value on one line', () => {
    const line = prettyLine({
      level: 30,
      time,
      pid: 7,
      hostname: 'host',
      name: 'provisioner',
      msg: 'provisioner listening',
      url: 'http://127.0.0.1:8080',
      instanceId: 'local-platform',
    });
    expect(line).toMatch(TIME);
    expect(line.replace(TIME, '')).toBe(
      'INFO (provisioner): provisioner listening  url=http://127.0.0.1:8080  instanceId=local-platform\n',
    );
  });

  it('shows a request as method, URL, status and duration, then its request id', () => {
    const line = prettyLine({
      level: 30,
      time,
      name: 'state-service',
      req: { id: 'req-42', method: 'GET', url: '/v1/state/dataproduct/test/sales/orders/1.0.0' },
      res: { statusCode: 404 },
      responseTime: 12.4,
      msg: 'request completed',
    });
    expect(line.replace(TIME, '')).toBe(
      'INFO (state-service): request completed  GET /v1/state/dataproduct/test/sales/orders/1.0.0 → 404 12 ms  req=req-42\n',
    );
  });

  it('keeps fields short: a data product as its path, long values cut, an error as its message', () => {
    const line = prettyLine({
      level: 40,
      time,
      name: 'provisioner',
      reqId: 'req-7',
      msg: 'retrying',
      dataProduct: { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' },
      body: 'x'.repeat(200),
      err: {
        type: 'Error',
        message: 'connect ECONNREFUSED 127.0.0.1:8091',
        stack: 'Error: connect…\n    at x',
      },
    });
    const text = line.replace(TIME, '');
    expect(text.split('\n')).toEqual([
      `WARN (provisioner): retrying  req=req-7  dataProduct=test/sales/orders/1.0.0  body=${'x'.repeat(79)}…  err="connect ECONNREFUSED 127.0.0.1:8091"`,
      '',
    ]);
  });

  it('adds the stack below an error-level entry', () => {
    const line = prettyLine({
      level: 50,
      time,
      name: 's3',
      msg: 'work failed',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at work (s3.ts:1:1)' },
    });
    expect(line.replace(TIME, '')).toBe(
      'ERROR (s3): work failed  err=boom\n    Error: boom\n        at work (s3.ts:1:1)\n',
    );
  });
});

describe('createLogger', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    return { lines, stream };
  }

  it('tags an entry logged while serving a request with its id, and no other entry', () => {
    const { lines, stream } = capture();
    const logger = createLogger('provisioner', 'info', stream);
    withRequestId('req-99', () => logger.info({ operationId: 'op-1' }, 'operation started'));
    logger.info('sweep found nothing');
    expect(lines.map(({ msg, reqId, operationId }) => ({ msg, reqId, operationId }))).toEqual([
      { msg: 'operation started', reqId: 'req-99', operationId: 'op-1' },
      { msg: 'sweep found nothing', reqId: undefined, operationId: undefined },
    ]);
  });

  it('never writes a token', () => {
    const { lines, stream } = capture();
    const logger = createLogger('state-service', 'info', stream);
    logger.info({ token: 'dmp_a_secret', request: { token: 'dmp_b_secret' } }, 'issued');
    expect(JSON.stringify(lines)).not.toContain('secret');
  });
});
