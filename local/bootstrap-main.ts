import { ConfigError } from '../shared/config/env-reader.js';
import { bootstrap, readBootstrapOptions, startCommands } from './bootstrap.js';

/** `npm run bootstrap`: a fresh deployment's tables, buckets and tokens, then how to start each service. */
try {
  const options = readBootstrapOptions();
  const tokens = await bootstrap(options);
  process.stdout.write(
    [
      'dmp is bootstrapped: state and token tables, buckets, and every service credential.',
      `Tokens (hashed in the token table, kept here with mode 0600): ${options.tokenFile}`,
      '',
      'Start each service in its own terminal, in this order:',
      ...startCommands(options).map((command) => `  ${command}`),
      '',
      'The admin token, for you (and the CLI):',
      `  export DMP_TOKEN=${tokens.admin}`,
      '',
    ].join('\n'),
  );
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `bootstrap failed: ${String(error)}`}\n`,
  );
  process.exit(1);
}
