import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader } from '../../shared/config/env-reader.js';

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
