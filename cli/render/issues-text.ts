import type { InputIssue } from '../cli-errors.js';

/** `dp.yaml:11:5: /outputPorts/0/dependson: unknown key …`, the shape editors and CI logs link to. */
export function issueLine(issue: InputIssue, file?: string): string {
  const where = [file, issue.line, issue.line !== undefined ? issue.column : undefined]
    .filter((part) => part !== undefined)
    .join(':');
  const rule = issue.rule ? ` [rule ${issue.rule}]` : '';
  const path = issue.path === '' ? '/' : issue.path;
  return `${where ? `${where}: ` : ''}${path}: ${issue.message}${rule}`;
}

/** The issues as JSON, each with the file it refers to. */
export function issuesJson(issues: readonly InputIssue[], file?: string) {
  return issues.map((issue) => ({ ...(file ? { file } : {}), ...issue }));
}
