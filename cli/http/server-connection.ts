import { ServerUnavailableError, UsageError } from '../cli-errors.js';

export interface ServerConnection {
  /** The provisioner's base URL, without a trailing slash and without credentials. */
  url: string;
  token?: string;
}

/** Flags win over DMP_URL / DMP_TOKEN. The token is only ever put in the Authorization header. */
export function resolveConnection(
  flags: { url?: string; token?: string },
  env: Readonly<Record<string, string | undefined>>,
): ServerConnection {
  const raw = flags.url ?? env.DMP_URL;
  if (raw === undefined || raw.trim() === '') {
    throw new ServerUnavailableError(
      'no server: set DMP_URL or pass --url (for example http://127.0.0.1:8080)',
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    throw new UsageError('the server URL is not a URL: give http(s)://host:port');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`the server URL must be http or https, not ${parsed.protocol}`);
  }
  if (parsed.username || parsed.password) {
    throw new UsageError('put the token in DMP_TOKEN or --token, not in the URL');
  }
  const token = flags.token ?? env.DMP_TOKEN;
  // Never echoed: a token that could not even be sent as a header is refused without showing it.
  if (token && token.trim() !== '' && !/^[\x21-\x7e]+$/.test(token.trim())) {
    throw new UsageError('the token has characters a bearer token cannot have (check DMP_TOKEN or --token)');
  }
  return {
    url: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`,
    ...(token && token.trim() !== '' ? { token: token.trim() } : {}),
  };
}
