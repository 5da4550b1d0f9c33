import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** JSON logs; never the Authorization header or any token. Level from DMP_LOG_LEVEL (default info). */
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
  };
  return destination ? pino(options, destination) : pino(options);
}
