import type { Request } from 'express';
import {
  DEFAULT_DOCUMENT_LIMITS,
  parseJsonDocument,
  parseYamlDocument,
  type SourceDocument,
} from '../../shared/descriptor/source-document.js';
import { UnsupportedMediaTypeError, ValidationError } from '../../shared/errors.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];
const JSON_TYPES = ['application/json'];

/**
 * Reads a descriptor from a raw body: YAML by default, JSON with
 * `Content-Type: application/json`; strict UTF-8; anything else is 415.
 */
export function descriptorFromBody(req: Request): SourceDocument {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const isJson = JSON_TYPES.includes(mediaType) || mediaType.endsWith('+json');
  if (mediaType !== '' && !isJson && !YAML_TYPES.includes(mediaType)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type ${mediaType} is not supported: send the descriptor as application/yaml or application/json`,
      { supported: [...YAML_TYPES, ...JSON_TYPES] },
    );
  }
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new ValidationError('The body is empty', [
      { path: '', message: 'send the data product descriptor as the body' },
    ]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new ValidationError('The body is not valid UTF-8', [
      { path: '', message: 'the body must be UTF-8 text' },
    ]);
  }
  return isJson
    ? parseJsonDocument(text, DEFAULT_DOCUMENT_LIMITS)
    : parseYamlDocument(text, DEFAULT_DOCUMENT_LIMITS);
}
