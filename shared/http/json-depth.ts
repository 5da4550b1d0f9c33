import { ValidationError } from '../errors.js';

/**
 * How deep a JSON body may nest. Far beyond any descriptor, request or event
 * this platform reads; a body nested thousands deep would otherwise parse and
 * then overflow the stack of whatever walks it next (JSON.stringify, the
 * DynamoDB marshaller): a 500 instead of a 400.
 */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether JSON text (UTF-8 bytes or a string) nests deeper than `maxDepth`; one pass, no parsing. */
export function nestsDeeperThan(json: Uint8Array | string, maxDepth = MAX_JSON_DEPTH): boolean {
  const bytes = typeof json === 'string' ? Buffer.from(json, 'utf8') : json;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (inString) {
      if (byte === BACKSLASH) index += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth -= 1;
    }
  }
  return false;
}

export function tooDeepError(): ValidationError {
  return new ValidationError('The body nests too deeply', [
    { path: '', message: `JSON may nest at most ${MAX_JSON_DEPTH} levels of objects and arrays` },
  ]);
}
