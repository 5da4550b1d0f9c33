import { App } from 'aws-cdk-lib';
import { DmpStack } from '../lib/dmp-stack.js';
import { namePrefix } from '../lib/names.js';
import { contextOverrides, resolveSettings } from '../lib/settings.js';

/**
 * The dmp app: one stack per environment of `cdk.json` (`dmp.environments`),
 * or only `-c environment=<name>`. Stacks are environment-agnostic: the
 * account and region are the deploying credentials', and synth needs neither.
 */
const app = new App();
const context = (app.node.tryGetContext('dmp') ?? {}) as Record<string, unknown>;
const only = app.node.tryGetContext('environment') as string | undefined;
const environments = only ? [only] : Object.keys((context.environments ?? {}) as Record<string, unknown>);
const overrides = contextOverrides(app.node.getAllContext());
for (const environment of environments) {
  new DmpStack(app, namePrefix(environment), resolveSettings(environment, context, overrides));
}
app.synth();
