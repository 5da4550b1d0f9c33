import { dirname, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A message from a function's process (a module that cannot be found, an
 * error thrown by the handler) without the platform's file system layout:
 * a path under the code root, plain or as a `file://` URL, becomes relative
 * to the function's code folder (`index.mjs`, `lib/util.js:3:7`,
 * `../../other-function/…`); the platform's working folder and Node's
 * installation are dropped.
 */
export function hideHostPaths(text: string, codeFolder: string, codeRoot: string): string {
  const rootUrl = pathToFileURL(codeRoot).href;
  const underRoot = new RegExp(
    `(?:${escaped(rootUrl)}|${escaped(codeRoot)})(?![^/'"\`\\s:),])[^'"\`\\s:),]*`,
    'g',
  );
  const relativeText = text.replace(underRoot, (match) => {
    const path = match.startsWith(rootUrl) ? codeRoot + decoded(match.slice(rootUrl.length)) : match;
    return relative(codeFolder, path) || '.';
  });
  return [process.cwd(), dirname(process.execPath)]
    .filter((prefix) => prefix.length > 1)
    .reduce((hidden, prefix) => hidden.split(prefix).join('…'), relativeText);
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function decoded(urlPath: string): string {
  try {
    return decodeURIComponent(urlPath);
  } catch {
    return urlPath;
  }
}
