import { type DestinationStream, type Logger, pino } from 'pino';
import { currentRequestId } from '../http/request-context.js';
import { chooseLogFormat } from './log-format.js';
import { prettyStdout } from './pretty-log.js';

export type { Logger };

/**
 * A service's logger; never the Authorization header or any token. Level from
 * DMP_LOG_LEVEL (default info); JSON lines, or readable ones on a terminal
 * (DMP_LOG_FORMAT, see chooseLogFormat). An entry logged while serving a
 * request carries its id (`reqId`; `req.id` in the request's own entry), the
 * x-request-id every call it leads to carries too, so one id finds a
 * request's lines in every service.
 *
 * Entries are written to stdout synchronously, in either format: with pino's
 * default asynchronous writes a later `process.stdout.write` (the banner of
 * `npm start`) overtook the last startup entries. dmp logs little (a request
 * at info only when it fails), so order wins over throughput.
 */
export function createLogger(
  service: string,
  level = process.env.DMP_LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  const options = {
    name: service,
    level,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.token', 'token', '*.serviceToken'],
      censor: '[redacted]',
    },
    // pino-http's request entries (with `res`) carry the id as req.id already.
    mixin: (entry: object) => {
      const reqId = currentRequestId();
      return reqId === undefined || 'res' in entry ? {} : { reqId };
    },
  };
  if (destination) return pino(options, destination);
  const pretty = chooseLogFormat(process.env, process.stdout.isTTY === true) === 'pretty';
  return pino(options, pretty ? prettyStdout() : pino.destination({ dest: 1, sync: true }));
}
