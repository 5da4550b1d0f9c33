import { describe, expect, it } from 'vitest';
import { readAuthConfig } from '../../shared/auth/auth-config.js';
import { ConfigError, EnvReader } from '../../shared/config/env-reader.js';
import { readStateServiceConfig } from '../../state-service/state-service-config.js';

describe('EnvReader', () => {
  it('reads typed values and falls back to defaults for unset or empty variables', () => {
    const reader = new EnvReader({ PORT: '9000', URL: 'http://x:1/', LIST: 'a, b,,c', EMPTY: '' });
    expect(reader.port('PORT', 1)).toBe(9000);
    expect(reader.url('URL', 'http://d')).toBe('http://x:1');
    expect(reader.list('LIST', [])).toEqual(['a', 'b', 'c']);
    expect(reader.string('EMPTY', 'fallback')).toBe('fallback');
    expect(reader.integer('UNSET', 7)).toBe(7);
    expect(() => reader.assertValid()).not.toThrow();
  });

  it('collects every bad value into one error', () => {
    const reader = new EnvReader({ PORT: '70000', URL: 'nope', MODE: 'maybe', N: '1.5' });
    reader.port('PORT', 1);
    reader.url('URL', 'http://d');
    reader.oneOf('MODE', ['aws', 'local'], 'aws');
    reader.integer('N', 1);
    expect(() => reader.assertValid()).toThrow(ConfigError);
    try {
      reader.assertValid();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT=70000', 'URL=nope', 'MODE=maybe', 'N=1.5']) expect(message).toContain(name);
    }
  });
});

describe('security configuration', () => {
  const jwtEnv = { DMP_JWT_JWKS_URL: 'https://idp.test/jwks.json', DMP_JWT_ISSUER: 'https://idp.test' };

  it('gives JWTs a maximum age of a day unless DMP_JWT_MAX_AGE_SECONDS says otherwise, within 60 s and 7 days', () => {
    const read = (env: NodeJS.ProcessEnv) => {
      const reader = new EnvReader(env);
      const config = readAuthConfig(reader);
      reader.assertValid();
      return config.jwt?.maxAgeSeconds;
    };
    expect(read(jwtEnv)).toBe(86_400);
    expect(read({ ...jwtEnv, DMP_JWT_MAX_AGE_SECONDS: '3600' })).toBe(3600);
    expect(() => read({ ...jwtEnv, DMP_JWT_MAX_AGE_SECONDS: '10' })).toThrow(/DMP_JWT_MAX_AGE_SECONDS=10/);
    expect(() => read({ ...jwtEnv, DMP_JWT_MAX_AGE_SECONDS: '999999999' })).toThrow(ConfigError);
  });

  it('takes a cursor signing key of at least 32 characters and never repeats a short one', () => {
    const key = 'k'.repeat(32);
    expect(readStateServiceConfig({ DMP_STATE_CURSOR_KEY: key }).cursorKey).toBe(key);
    expect(readStateServiceConfig({}).cursorKey).toBeUndefined();
    expect(() => readStateServiceConfig({ DMP_STATE_CURSOR_KEY: 'short-secret' })).toThrow(
      /DMP_STATE_CURSOR_KEY must be at least 32 characters \(its value is not shown\)/,
    );
    expect(() => readStateServiceConfig({ DMP_STATE_CURSOR_KEY: 'short-secret' })).not.toThrow(
      /short-secret/,
    );
  });
});
