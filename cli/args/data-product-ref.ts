import type { DataProductRef } from '../../shared/descriptor/types.js';
import { UsageError } from '../cli-errors.js';

const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9_.-]+$/;

/** Reads `ENV/DOMAIN/NAME/VERSION`, the same path the state endpoint uses. */
export function parseDataProductRef(text: string): DataProductRef {
  const segments = text.split('/');
  if (segments.length !== 4 || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new UsageError(
      `"${text}" is not a data product reference: expected ENVIRONMENT/DOMAIN/NAME/VERSION, such as test/sales/orders/1.0.0`,
    );
  }
  const [environment, domain, name, version] = segments as [string, string, string, string];
  return { environment, domain, name, version };
}

export function looksLikeRef(text: string): boolean {
  return text.split('/').length === 4 && !/\.(ya?ml|json)$/i.test(text);
}
