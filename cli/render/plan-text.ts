import type { PlannedResourceView, PlanView } from '../../provisioner/domain/plan-view.js';
import { describeRef } from '../../shared/descriptor/types.js';
import { issueLine } from './issues-text.js';
import type { Style } from './style.js';
import { table } from './table.js';

const MARK: Record<PlannedResourceView['action'], string> = {
  create: '+',
  update: '~',
  delete: '-',
  noop: '=',
  blocked: '!',
};

/** The plan as a person reads it: one line per resource, then the waves and the counts. */
export function planText(plan: PlanView, style: Style, file?: string): string[] {
  const ref = describeRef(plan);
  const header =
    plan.transit === null
      ? `No changes: ${ref} is ${plan.currentState}.`
      : `Plan for ${ref}: ${plan.currentState} → ${plan.transit}`;
  const rows = plan.resources.map((resource) => [
    ` ${paintMark(style, resource.action)}`,
    resource.name,
    resource.action,
    resource.technology,
    detailOf(resource),
  ]);
  const lines = [style.bold(header), ...table(rows)];
  if (plan.waves.length > 0) {
    lines.push(`Waves: ${plan.waves.map((wave, index) => `${index + 1}) ${wave.join(', ')}`).join('  ')}`);
  }
  if (plan.immutable.length > 0) {
    lines.push(style.bad('A deploy would be refused: these fields cannot change in place'));
    lines.push(...plan.immutable.map((issue) => `  ${issueLine(issue, file)}`));
  }
  lines.push(countsLine(plan.resources));
  return lines;
}

function detailOf(resource: PlannedResourceView): string {
  const parts: string[] = [];
  if (resource.changes?.length) parts.push(`changes: ${resource.changes.join(', ')}`);
  const granted = resource.acl?.granted ?? [];
  if (granted.length > 0) {
    parts.push(`grants ${granted.map((grant) => `${grant.role} (${grant.access})`).join(', ')}`);
  }
  const revoked = resource.acl?.revoked ?? [];
  if (revoked.length > 0) parts.push(`revokes ${revoked.join(', ')}`);
  if (resource.waitsFor.length > 0 && resource.action !== 'blocked') {
    parts.push(`after ${resource.waitsFor.join(', ')}`);
  }
  if (resource.reason) parts.push(resource.reason);
  return parts.join('; ');
}

function paintMark(style: Style, action: PlannedResourceView['action']): string {
  const mark = MARK[action];
  if (action === 'create') return style.ok(mark);
  if (action === 'delete' || action === 'blocked') return style.bad(mark);
  if (action === 'update') return style.busy(mark);
  return style.dim(mark);
}

function countsLine(resources: readonly PlannedResourceView[]): string {
  const count = (action: PlannedResourceView['action']) =>
    resources.filter((resource) => resource.action === action).length;
  return `${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete, ${count('noop')} unchanged, ${count('blocked')} blocked.`;
}
