import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  parseJsonDocument,
  parseYamlDocument,
  type SourceDocument,
} from '../../shared/descriptor/source-document.js';
import { ValidationError } from '../../shared/errors.js';
import { InvalidInputError } from '../cli-errors.js';
import type { DescriptorBody } from '../http/dmp-client.js';

export interface DescriptorFile extends DescriptorBody {
  /** Parsed with the server's own parser and limits; knows the line of every value. */
  document: SourceDocument;
}

/** Reads a descriptor file (YAML, or JSON for `.json`), refusing what the server would refuse to parse. */
export function readDescriptor(file: string, cwd: string): DescriptorFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(cwd, file));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new InvalidInputError(`cannot read ${file}: ${reason}`, [], file);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidInputError(`${file} is not UTF-8 text`, [], file);
  }
  const format = /\.json$/i.test(file) ? 'json' : 'yaml';
  try {
    const document = format === 'json' ? parseJsonDocument(text) : parseYamlDocument(text);
    return { text, format, file, document };
  } catch (error) {
    if (error instanceof ValidationError) throw new InvalidInputError(error.message, error.issues, file);
    throw error;
  }
}
