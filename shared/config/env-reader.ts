/**
 * Reads configuration from environment variables once, at startup. Every bad
 * value is collected, so the process stops with one message listing them all.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  string(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  /** The value exactly as set, the empty string included (some settings mean something when empty); undefined when unset. */
  asSet(name: string): string | undefined {
    return this.env[name];
  }

  optionalString(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  integer(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const raw = this.optionalString(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name}=${raw} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return value;
  }

  port(name: string, fallback: number): number {
    return this.integer(name, fallback, { min: 0, max: 65_535 });
  }

  url(name: string, fallback: string): string;
  url(name: string): string | undefined;
  url(name: string, fallback?: string): string | undefined {
    const raw = this.optionalString(name) ?? fallback;
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
      return raw.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${name}=${raw} must be an http(s) URL`);
      return fallback;
    }
  }

  list(name: string, fallback: readonly string[]): string[] {
    const raw = this.optionalString(name);
    if (raw === undefined) return [...fallback];
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optionalString(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}=${raw} must be one of ${allowed.join(', ')}`);
    return fallback;
  }

  /** A string that must match `pattern` (described by `rule` in the problem); the fallback otherwise. */
  matching(name: string, fallback: string, pattern: RegExp, rule: string): string {
    const value = this.string(name, fallback);
    if (pattern.test(value)) return value;
    this.problems.push(`${name}=${value} must be ${rule}`);
    return fallback;
  }

  /** A secret, if set: at least `minLength` characters; never repeated in a problem, unlike other values. */
  optionalSecret(name: string, minLength: number): string | undefined {
    const value = this.optionalString(name);
    if (value !== undefined && value.length < minLength) {
      this.problems.push(`${name} must be at least ${minLength} characters (its value is not shown)`);
      return undefined;
    }
    return value;
  }

  /** Records a value the caller's own check refused; startup then fails at assertValid. */
  refuse(name: string, value: string, why: string): void {
    this.problems.push(`${name}=${value} ${why}`);
  }

  /** Records a missing required variable; returns '' so that startup fails at assertValid. */
  require(name: string, why = 'is required'): string {
    const value = this.optionalString(name);
    if (value === undefined) this.problems.push(`${name} ${why}`);
    return value ?? '';
  }

  /** Records a problem found across several variables (a value that contradicts another). */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws a ConfigError naming every bad variable read so far. */
  assertValid(): void {
    if (this.problems.length > 0) {
      throw new ConfigError(`Invalid configuration:\n  - ${this.problems.join('\n  - ')}`);
    }
  }
}
