import { createRequire } from 'node:module';
import type { DestinationStream } from 'pino';
import type PinoPretty from 'pino-pretty';

/** Loaded on first use: a process that logs JSON (every deployed service) never pays for loading it. */
let loaded: typeof PinoPretty | undefined;
function pinoPretty(): typeof PinoPretty {
  loaded ??= createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return loaded;
}

/** What every entry has, or what the line already shows elsewhere (time, level, service in the header). */
const SHOWN_ELSEWHERE = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'name',
  'msg',
  'req',
  'res',
  'responseTime',
]);
const LONGEST_VALUE = 80;
const ERROR_LEVEL = 50;

interface RequestEntry {
  req?: { id?: unknown; method?: unknown; url?: unknown };
  res?: { statusCode?: unknown };
  responseTime?: unknown;
  reqId?: unknown;
  err?: { message?: unknown; stack?: unknown };
  level?: unknown;
}

/**
 * The text after `[time] LEVEL (service):` — the message, the request (method,
 * URL, status, duration) when the entry is pino-http's, its request id, then
 * every other field as a short `key=value`. An error's stack follows on the
 * next lines only at level error and above: a warning's cause reads in one line.
 */
export function formatMessage(log: Record<string, unknown>, messageKey = 'msg'): string {
  const entry = log as RequestEntry;
  const parts: string[] = [];
  const message = log[messageKey];
  if (message !== undefined && message !== '') parts.push(String(message));
  if (entry.req && typeof entry.req === 'object') {
    const status = entry.res?.statusCode === undefined ? '' : ` → ${String(entry.res.statusCode)}`;
    const took = typeof entry.responseTime === 'number' ? ` ${Math.round(entry.responseTime)} ms` : '';
    parts.push(`${String(entry.req.method)} ${String(entry.req.url)}${status}${took}`);
  }
  const requestId = entry.req?.id ?? entry.reqId;
  if (requestId !== undefined) parts.push(`req=${String(requestId)}`);
  for (const [key, value] of Object.entries(log)) {
    if (SHOWN_ELSEWHERE.has(key) || key === messageKey || key === 'reqId' || key === 'err') continue;
    if (value === undefined) continue;
    parts.push(`${key}=${shortValue(value)}`);
  }
  if (entry.err && typeof entry.err === 'object')
    parts.push(`err=${shortValue(entry.err.message ?? entry.err)}`);
  const stack =
    typeof entry.level === 'number' && entry.level >= ERROR_LEVEL && typeof entry.err?.stack === 'string'
      ? `\n    ${entry.err.stack.split('\n').join('\n    ')}`
      : '';
  return `${parts.join('  ')}${stack}`;
}

function shortValue(value: unknown): string {
  const text =
    typeof value === 'string' && /^[^\s"=]+$/.test(value)
      ? value
      : (dataProductPath(value) ?? JSON.stringify(value));
  return text.length > LONGEST_VALUE ? `${text.slice(0, LONGEST_VALUE - 1)}…` : text;
}

/** A data product reference as people write it: environment/domain/name/version. */
function dataProductPath(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { environment, domain, name, version, ...rest } = value as Record<string, unknown>;
  const parts = [environment, domain, name, version];
  if (Object.keys(rest).length > 0 || !parts.every((part) => typeof part === 'string')) return undefined;
  return parts.join('/');
}

function prettyOptions(colorize: boolean): PinoPretty.PrettyOptions {
  return {
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    // Every field is in the message line (formatMessage); nothing below it but an error's stack.
    hideObject: true,
    messageFormat: (log, messageKey) => formatMessage(log, messageKey),
  };
}

/** One pretty line for a log entry, without colours: what a terminal shows, for tests and tools. */
export function prettyLine(entry: Record<string, unknown>): string {
  return pinoPretty().prettyFactory(prettyOptions(false))(entry);
}

/**
 * Pretty lines on stdout, written synchronously: in-process (no worker
 * thread), so a line is on the terminal before the call that logged it
 * returns, and nothing printed after startup can overtake a startup log.
 */
export function prettyStdout(): DestinationStream {
  const pretty = pinoPretty();
  return pretty({ ...prettyOptions(pretty.isColorSupported), destination: 1, sync: true });
}
