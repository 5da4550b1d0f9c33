import { describe, expect, it } from 'vitest';
import { contextOverrides, DEFAULT_SETTINGS, resolveSettings, SettingsError } from '../lib/settings.js';

describe('resolveSettings', () => {
  it('takes the defaults, then dmp.defaults, then the environment, then single -c values', () => {
    const settings = resolveSettings(
      'prod',
      {
        defaults: { image: { repository: 'dmp', tag: '1.0.0' }, dataBuckets: ['a-bucket'] },
        environments: { prod: { image: { tag: '1.1.0' }, fargate: { provisionerTasks: 3 } } },
      },
      contextOverrides({ 'dmp:image.tag': '1.2.0', 'dmp:fargate.stateServiceTasks': '4', other: 'x' }),
    );
    expect(settings.environment).toBe('prod');
    expect(settings.descriptorEnvironments).toEqual(['prod']);
    expect(settings.image).toEqual({ repository: 'dmp', tag: '1.2.0' });
    expect(settings.dataBuckets).toEqual(['a-bucket']);
    expect(settings.fargate).toEqual({
      ...DEFAULT_SETTINGS.fargate,
      provisionerTasks: 3,
      stateServiceTasks: 4,
    });
  });

  it('refuses fewer than two provisioner or state service tasks', () => {
    expect(() =>
      resolveSettings('prod', {
        environments: { prod: { fargate: { provisionerTasks: 1, stateServiceTasks: 0 } } },
      }),
    ).toThrow(/fargate\.provisionerTasks must be 2-50[\s\S]*fargate\.stateServiceTasks must be 2-50/);
  });

  it('reports every bad value at once, by name', () => {
    let error: unknown;
    try {
      resolveSettings('Prod_1', {
        defaults: {
          dataBuckets: ['Not_A_Bucket'],
          grantableRolePath: '/',
          logRetentionDays: 2,
          fargate: { cpu: 256, memoryMiB: 4096 },
          vpc: { cidr: '10.0.0.0/8' },
          image: { tag: 'has space' },
        },
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const message = (error as Error).message;
    for (const name of [
      'environment "Prod_1"',
      'dataBuckets',
      'grantableRolePath',
      'logRetentionDays',
      'fargate.memoryMiB',
      'vpc.cidr',
      'image.tag',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('refuses an environment section that is not an object', () => {
    expect(() => resolveSettings('dev', { environments: { dev: 'big' } })).toThrow(
      /dmp\.environments\.dev must be an object/,
    );
  });
});
