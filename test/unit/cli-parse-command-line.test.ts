import { describe, expect, it } from 'vitest';
import { parseDataProductRef } from '../../cli/args/data-product-ref.js';
import { formatDuration, parseDuration } from '../../cli/args/duration.js';
import { parseCommandLine } from '../../cli/args/parse-command-line.js';
import { ServerUnavailableError, UsageError } from '../../cli/cli-errors.js';
import { resolveConnection } from '../../cli/http/server-connection.js';

describe('parseCommandLine', () => {
  it('reads the command, its positional argument, its options and global options in any order', () => {
    const line = parseCommandLine(['deploy', '--output', 'json', 'dp.yaml', '--wait', '--timeout', '10m']);
    expect(line).toMatchObject({
      kind: 'run',
      command: { name: 'deploy' },
      positionals: ['dp.yaml'],
      options: { wait: true, timeout: '10m' },
      global: { output: 'json', color: true },
    });
  });

  it('takes --url and --token as flags and --no-color', () => {
    const line = parseCommandLine(['list', '--url', 'http://x:1', '--token', 't', '--no-color']);
    expect(line.global).toEqual({ output: 'text', color: false, url: 'http://x:1', token: 't' });
  });

  it('gives help for the program and for each command, without requiring its arguments', () => {
    expect(parseCommandLine([])).toMatchObject({ kind: 'help' });
    expect(parseCommandLine(['--help'])).toMatchObject({ kind: 'help' });
    expect(parseCommandLine(['deploy', '--help'])).toMatchObject({
      kind: 'help',
      command: { name: 'deploy' },
    });
    expect(parseCommandLine(['help', 'plan'])).toMatchObject({ kind: 'help', command: { name: 'plan' } });
  });

  it.each([
    [['deploy'], /deploy needs FILE/],
    [['deploy', 'a.yaml', 'b.yaml'], /unexpected argument "b.yaml"/],
    [['deploy', 'a.yaml', '--remove-data'], /Unknown option '--remove-data'.*dmp deploy --help/],
    [['launch'], /unknown command "launch"; commands: validate, plan/],
    [['list', '--output', 'xml'], /--output must be text or json/],
    [['deploy', 'a.yaml', '--timeout'], /--timeout/],
  ])('refuses %j as a usage error', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['90', 90_000],
    ['10m', 600_000],
    ['1.5h', 5_400_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text, '--timeout')).toBe(ms);
  });

  it.each(['', '0s', '-1m', '10 minutes', '1d'])('refuses %j', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(/--timeout must be a positive duration/);
  });

  it('formats seconds under a minute and minutes beyond', () => {
    expect(formatDuration(3_240)).toBe('3.2s');
    expect(formatDuration(125_000)).toBe('2m05s');
  });
});

describe('parseDataProductRef', () => {
  it('reads ENV/DOMAIN/NAME/VERSION', () => {
    expect(parseDataProductRef('test/sales/orders/1.0.0')).toEqual({
      environment: 'test',
      domain: 'sales',
      name: 'orders',
      version: '1.0.0',
    });
  });

  it.each(['test/sales/orders', 'test/sales/orders/1.0.0/x', 'test/../orders/1.0.0', 'test/sa les/o/1'])(
    'refuses %j',
    (text) => {
      expect(() => parseDataProductRef(text)).toThrow(/ENVIRONMENT\/DOMAIN\/NAME\/VERSION/);
    },
  );
});

describe('resolveConnection', () => {
  it('prefers flags over DMP_URL and DMP_TOKEN, and drops a trailing slash', () => {
    const env = { DMP_URL: 'http://env:1/', DMP_TOKEN: 'env-token' };
    expect(resolveConnection({}, env)).toEqual({ url: 'http://env:1', token: 'env-token' });
    expect(resolveConnection({ url: 'https://flag:2/api/', token: 'flag-token' }, env)).toEqual({
      url: 'https://flag:2/api',
      token: 'flag-token',
    });
  });

  it('refuses to run without a server, and refuses credentials in the URL', () => {
    expect(() => resolveConnection({}, {})).toThrow(ServerUnavailableError);
    expect(() => resolveConnection({ url: 'http://user:secret@host:1' }, {})).toThrow(/not in the URL/);
    expect(() => resolveConnection({ url: 'ftp://host' }, {})).toThrow(/http or https/);
  });
});
