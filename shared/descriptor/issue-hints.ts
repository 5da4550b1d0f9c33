import type { ValidationIssue } from '../errors.js';

/** Beyond this many problems a response lists the first ones and says how many more there are. */
export const MAX_LISTED_ISSUES = 100;

const WITHOUT_ACCESS = /^\/observability\/\d+\/(owner|allow)$/;

/**
 * Turns the schema's terse messages into what a domain team needs to fix the
 * most common slips: YAML reading a version as a number, and owner/allow on
 * observability resources, which nobody is granted access to.
 */
export function withHints(issue: ValidationIssue, raw: unknown): ValidationIssue {
  if (issue.path === '/version' && typeof (raw as { version?: unknown })?.version === 'number') {
    const written = String((raw as { version: number }).version);
    const parts = [...written.split('.'), '0', '0'].slice(0, 3).join('.');
    return {
      ...issue,
      message: `must be a string; YAML read ${written} as a number: quote it and give major.minor.patch, e.g. version: "${parts}"`,
    };
  }
  if (WITHOUT_ACCESS.test(issue.path) && issue.message.startsWith('unknown key')) {
    return {
      ...issue,
      message: `observability resources take no ${issue.path.endsWith('owner') ? 'owner' : 'allow'}: their endpoints are not granted per role; remove it`,
    };
  }
  return issue;
}

/** At most MAX_LISTED_ISSUES problems, the last one saying how many were left out. */
export function capped(issues: ValidationIssue[]): ValidationIssue[] {
  if (issues.length <= MAX_LISTED_ISSUES) return issues;
  const left = issues.length - (MAX_LISTED_ISSUES - 1);
  return [
    ...issues.slice(0, MAX_LISTED_ISSUES - 1),
    { path: '', message: `${left} more problems not listed; fix these first` },
  ];
}
