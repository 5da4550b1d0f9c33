import { describe, expect, it } from 'vitest';
import { captureIo } from '../../cli/capture-io.js';
import { issueLine } from '../../cli/render/issues-text.js';
import { Output } from '../../cli/render/output.js';
import { planText } from '../../cli/render/plan-text.js';
import { changeLines, liveViewLines } from '../../cli/render/progress-text.js';
import { resourceNote } from '../../cli/render/state-text.js';
import { styleFor } from '../../cli/render/style.js';
import { summaryText } from '../../cli/render/summary-text.js';
import { visibleWidth } from '../../cli/render/table.js';
import { ProgressReporter } from '../../cli/wait/progress-reporter.js';
import { stateChanges } from '../../cli/wait/state-changes.js';
import type { PlanView } from '../../provisioner/domain/plan-view.js';
import type { PublicDataProductState, PublicResourceState } from '../../provisioner/domain/public-state.js';

const plain = styleFor(false);

function resource(
  name: string,
  state: string,
  extra: Partial<PublicResourceState> = {},
): PublicResourceState {
  return {
    name,
    kind: 'outputPort',
    technology: 'gated',
    state,
    updatedAt: null,
    lastError: null,
    blockedBy: null,
    info: null,
    ...extra,
  };
}

function snapshot(
  state: string,
  resources: PublicResourceState[],
  extra: Partial<PublicDataProductState> = {},
): PublicDataProductState {
  return {
    environment: 'test',
    domain: 'sales',
    name: 'orders',
    version: '1.0.0',
    state: state as PublicDataProductState['state'],
    updatedAt: '2026-01-01T00:00:00.000Z',
    operationId: 'op-1',
    lastError: null,
    rootCauses: [],
    cancelRequested: false,
    historySeq: 1,
    resources,
    ...extra,
  };
}

describe('non-TTY progress lines', () => {
  it('prints everything on the first read, then one line per change and nothing for an unchanged read', () => {
    const reads = [
      snapshot('CREATING', [resource('raw', 'CREATING'), resource('curated', 'NONE')]),
      snapshot('CREATING', [resource('raw', 'CREATING'), resource('curated', 'NONE')]),
      snapshot('CREATING', [resource('raw', 'CREATED'), resource('curated', 'CREATING')]),
      snapshot('CREATED', [resource('raw', 'CREATED'), resource('curated', 'CREATED')]),
    ];
    const printed = reads.map((read, index) =>
      changeLines(stateChanges(reads[index - 1], read), read, index * 1_000, plain),
    );
    expect(printed).toEqual([
      ['   +0.0s  test/sales/orders/1.0.0  CREATING', '   +0.0s  raw  CREATING', '   +0.0s  curated  NONE'],
      [],
      ['   +2.0s  raw  CREATING → CREATED', '   +2.0s  curated  NONE → CREATING'],
      ['   +3.0s  test/sales/orders/1.0.0  CREATING → CREATED', '   +3.0s  curated  CREATING → CREATED'],
    ]);
  });

  it('prints a new error or blocker even when the state did not change, and a cancel request', () => {
    const before = snapshot('CREATING', [resource('a', 'FAILED'), resource('b', 'NONE')]);
    const after = snapshot(
      'CREATING',
      [resource('a', 'FAILED', { lastError: 'boom' }), resource('b', 'NONE', { blockedBy: 'a' })],
      { cancelRequested: true },
    );
    expect(changeLines(stateChanges(before, after), after, 61_000, plain)).toEqual([
      '  +1m01s  test/sales/orders/1.0.0  CREATING  (cancel requested)',
      '  +1m01s  a  FAILED  (boom)',
      '  +1m01s  b  NONE  (blocked by a)',
    ]);
  });
});

describe('resourceNote', () => {
  it.each([
    [{ uri: 's3://bucket/dir/', url: 'http://x' }, 's3://bucket/dir/'],
    [{ url: 'http://gw/api/status', urls: ['http://gw/api/status'] }, 'http://gw/api/status'],
    [{ table: 't', endpoint: 'http://es/v1/events/p/{aggregateId}' }, 'http://es/v1/events/p/{aggregateId}'],
    [{ functionName: 'dmp-wl-job', variables: ['DMP_DEP_A_URI'] }, 'dmp-wl-job'],
    [{ table: 't' }, ''],
  ])('shows where consumers find a resource of each technology: %j', (info, note) => {
    expect(resourceNote(resource('r', 'CREATED', { info }))).toBe(note);
  });
});

describe('summaryText', () => {
  it('gives the outcome, the duration, each resource and each root cause', () => {
    const final = snapshot(
      'NOT_COMPLETED',
      [
        resource('broken', 'FAILED', { lastError: 'broken failed on purpose' }),
        resource('after', 'NONE', { blockedBy: 'broken' }),
        resource('fine', 'CREATED', { info: { uri: 's3://bucket/fine/' } }),
      ],
      {
        rootCauses: [
          { resource: 'broken', error: 'broken failed on purpose' },
          { resource: 'after', blockedBy: 'broken' },
        ],
      },
    );
    expect(summaryText(final, 4_200, false, plain)).toEqual([
      'test/sales/orders/1.0.0 is NOT_COMPLETED after 4.2s.',
      '  broken  FAILED   gated  broken failed on purpose',
      '  after   NONE     gated  blocked by broken',
      '  fine    CREATED  gated  s3://bucket/fine/',
      'Root causes:',
      '  broken: broken failed on purpose',
      '  after: not attempted, blocked by broken',
    ]);
  });

  it('says a timed-out operation goes on and how to follow or stop it', () => {
    const lines = summaryText(snapshot('CREATING', [resource('a', 'CREATING')]), 1_000, true, plain);
    expect(lines[0]).toBe('Timed out after 1.0s: test/sales/orders/1.0.0 is still CREATING.');
    expect(lines.at(-1)).toMatch(
      /dmp status test\/sales\/orders\/1.0.0 --wait.*dmp cancel test\/sales\/orders\/1.0.0/,
    );
  });
});

describe('planText', () => {
  it('marks each action, shows the ACL diff, the waves and the counts', () => {
    const plan: PlanView = {
      environment: 'test',
      domain: 'sales',
      name: 'orders',
      version: '1.0.0',
      currentState: 'CREATED',
      transit: 'UPDATING',
      resources: [
        { name: 'fresh', kind: 'outputPort', technology: 's3', action: 'create', waitsFor: ['same'] },
        {
          name: 'acl',
          kind: 'outputPort',
          technology: 's3',
          action: 'update',
          changes: ['allow'],
          acl: { granted: [{ role: 'joiner', access: 'read-only' }], revoked: ['leaver'] },
          waitsFor: [],
        },
        { name: 'gone', kind: 'outputPort', technology: 's3', action: 'delete', waitsFor: [] },
        { name: 'same', kind: 'outputPort', technology: 's3', action: 'noop', waitsFor: [] },
      ],
      waves: [['acl', 'gone'], ['fresh']],
      immutable: [],
    };
    expect(planText(plan, plain)).toEqual([
      'Plan for test/sales/orders/1.0.0: CREATED → UPDATING',
      ' +  fresh  create  s3  after same',
      ' ~  acl    update  s3  changes: allow; grants joiner (read-only); revokes leaver',
      ' -  gone   delete  s3',
      ' =  same   noop    s3',
      'Waves: 1) acl, gone  2) fresh',
      '1 to create, 1 to update, 1 to delete, 1 unchanged, 0 blocked.',
    ]);
  });
});

describe('issueLine', () => {
  it('puts file, line and column first, then the JSON pointer, message and rule', () => {
    expect(issueLine({ path: '/outputPorts/0/owner', message: 'is required', line: 7 }, 'dp.yaml')).toBe(
      'dp.yaml:7: /outputPorts/0/owner: is required',
    );
    expect(issueLine({ path: '', message: 'invalid YAML', line: 3, column: 5 }, 'dp.yaml')).toBe(
      'dp.yaml:3:5: /: invalid YAML',
    );
    expect(issueLine({ path: '/domain', message: 'not allowed', rule: 'domains' })).toBe(
      '/domain: not allowed [rule domains]',
    );
  });
});

describe('the TTY live view', () => {
  it('fits every line to the terminal width so a redraw moves up exactly one row per line', () => {
    const state = snapshot('CREATING', [resource('a', 'FAILED', { lastError: 'x'.repeat(200) })]);
    const lines = liveViewLines(state, 500, styleFor(true), 40);
    expect(lines.map(visibleWidth).every((width) => width <= 40)).toBe(true);
  });

  it('redraws in place on a terminal, then clears the view for the summary', () => {
    const io = captureIo({ tty: true, columns: 80 });
    const reporter = new ProgressReporter(new Output(io, 'text', false));
    reporter.onState(snapshot('CREATING', [resource('a', 'CREATING')]), 0);
    reporter.onState(snapshot('CREATED', [resource('a', 'CREATED')]), 1_000);
    reporter.finish();
    // Two lines drawn each time: move up two lines and clear before the second draw and at the end.
    expect(io.out().split('\u001b[2F\u001b[0J')).toHaveLength(3);
    expect(io.out()).toContain('1/1 settled');
  });

  it('prints nothing in json mode', () => {
    const io = captureIo({ tty: true });
    const reporter = new ProgressReporter(new Output(io, 'json', true));
    reporter.onState(snapshot('CREATING', [resource('a', 'CREATING')]), 0);
    reporter.finish();
    expect(io.out()).toBe('');
  });
});
