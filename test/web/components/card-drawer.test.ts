/** The card drawer: every field, the history newest first, the edits each role may make, and the edit logic. */
import { ApiError, type Appointment, type HistoryEntry } from '../../../web/src/api';
import {
  changedFields,
  describeEntry,
  draftOf,
  fieldErrors,
  patchFor,
  rebaseDraft,
} from '../../../web/src/appointment-edit';
import { DrawerBody, type DrawerBodyProps } from '../../../web/src/components/card-drawer';
import { buttons, controlTag, labelledControls, render, textById, textOf } from './render';

const appointment = (over: Partial<Appointment> = {}): Appointment => ({
  id: 'a1',
  status: 'in_progress',
  version: 3,
  customer_id: 'c1',
  vehicle_id: 'v1',
  customer_name: 'Grace Hopper',
  vehicle_label: '2021 Honda Civic',
  appt_start: '2026-03-02T17:00:00.000Z',
  appt_end: '2026-03-02T18:00:00.000Z',
  service_codes: ['OIL001'],
  notes: 'Customer waiting',
  technician_id: null,
  technician_name: null,
  status_since: '2026-03-02T17:05:00.000Z',
  status_version: 2,
  status_entered_at: { scheduled: '2026-03-01T10:00:00.000Z', in_progress: '2026-03-02T17:05:00.000Z' },
  last_move_id: 'm1',
  created_at: '2026-03-01T10:00:00.000Z',
  updated_at: '2026-03-02T17:10:00.000Z',
  ...over,
});

const by = { role: 'staff' as const, principal: 'LOCALSTAFF' };
const history: HistoryEntry[] = [
  {
    at: '2026-03-02T17:10:00.000Z',
    version: 3,
    by,
    kind: 'edited',
    changes: { notes: { old: null, new: 'Customer waiting' } },
  },
  {
    at: '2026-03-02T17:05:00.000Z',
    version: 2,
    by,
    kind: 'moved',
    from: 'scheduled',
    to: 'in_progress',
    move_id: 'm1',
    rebased: false,
  },
  {
    at: '2026-03-01T10:00:00.000Z',
    version: 1,
    by: { role: 'admin', principal: 'LOCALDEV' },
    kind: 'created',
    status: 'scheduled',
    customer_id: 'c1',
    vehicle_id: 'v1',
    appt_start: '2026-03-02T17:00:00.000Z',
    appt_end: '2026-03-02T18:00:00.000Z',
    service_codes: ['OIL001'],
    notes: null,
  },
];
const services = [{ code: 'OIL001', name: 'Oil change', price_cents: 4999, duration_minutes: 30 }];
const ZONE = 'America/Los_Angeles';

function props(over: Partial<DrawerBodyProps> = {}): DrawerBodyProps {
  const a = over.appointment ?? appointment();
  return {
    appointment: a,
    draft: draftOf(a, ZONE),
    onDraft: () => undefined,
    history,
    zone: ZONE,
    may: { edit: true, admin: true },
    services,
    technicians: [{ id: 't1', name: 'Linus', active: true, created_at: '2026-01-01T00:00:00.000Z' }],
    errors: {},
    notice: undefined,
    saving: false,
    onSave: () => undefined,
    ...over,
  };
}

describe('DrawerBody', () => {
  it("shows every field of the card in the shop's zone", () => {
    const text = textOf(render(DrawerBody, props()));

    expect(text).toContain('Status In progress');
    expect(text).toContain('Time 09:00–10:00 (America/Los_Angeles)');
    expect(text).toContain('Customer Grace Hopper (c1)');
    expect(text).toContain('Vehicle 2021 Honda Civic (v1)');
    expect(text).toContain('Services Oil change');
    expect(text).toContain('Notes Customer waiting');
    expect(text).toContain('In In progress since Mar 2, 09:05');
    expect(text).toContain('Version 3');
  });

  it('lists the history newest first with who, when and what', () => {
    const html = render(DrawerBody, props());
    const entries = [...html.matchAll(/<li data-testid="history-entry">(.*?)<\/li>/g)].map((m) =>
      textOf(m[1] ?? ''),
    );

    expect(entries).toEqual([
      'Notes: none → “Customer waiting” LOCALSTAFF (staff) · Mar 2, 09:10 · v3',
      'Moved Scheduled → In progress LOCALSTAFF (staff) · Mar 2, 09:05 · v2',
      'Booked in Scheduled LOCALDEV (admin) · Mar 1, 02:00 · v1',
    ]);
  });

  it.each([
    ['an admin', { edit: true, admin: true }, ['Notes', 'Technician', 'Start', 'End', 'Services']],
    ['staff', { edit: true, admin: false }, ['Notes', 'Technician']],
  ])('offers %s the fields their role may edit, and Save', (_who, may, fields) => {
    const html = render(DrawerBody, props({ may }));

    expect(Object.keys(labelledControls(html))).toEqual(fields);
    expect(buttons(html)).toContain('Save');
    expect(controlTag(html, 'Notes')).toMatch(/^<textarea/);
  });

  it('offers a viewer no edit at all', () => {
    const html = render(DrawerBody, props({ may: { edit: false, admin: false } }));

    expect(labelledControls(html)).toEqual({});
    expect(buttons(html)).toEqual([]);
  });

  it('leaves out the technician field when the technicians could not be read', () => {
    expect(
      Object.keys(labelledControls(render(DrawerBody, props({ technicians: undefined })))),
    ).not.toContain('Technician');
  });

  it('shows a server error next to the field it names', () => {
    const html = render(DrawerBody, props({ errors: { appt_end: 'must be after appt_start' } }));

    expect(controlTag(html, 'End')).toContain('aria-describedby="drawer-end-err"');
    expect(controlTag(html, 'End')).toContain('aria-invalid="true"');
    expect(textById(html, 'drawer-end-err')).toBe('must be after appt_start');
  });
});

describe('the drawer edit', () => {
  it('sends only the changed fields, times as UTC instants of the shop zone, with the version edited from', () => {
    const base = appointment();
    const draft = { ...draftOf(base, ZONE), notes: 'Call when done', start: '2026-03-02T09:30' };

    expect(patchFor(base, draft, ZONE, { admin: true, technician: true })).toEqual({
      expected_version: 3,
      notes: 'Call when done',
      appt_start: '2026-03-02T17:30:00.000Z',
    });
  });

  it('sends no times or services for staff, and nothing when nothing changed', () => {
    const base = appointment();
    const draft = { ...draftOf(base, ZONE), start: '2026-03-02T09:30', service_codes: [] };

    expect(patchFor(base, draft, ZONE, { admin: false, technician: true })).toBeUndefined();
    expect(patchFor(base, draftOf(base, ZONE), ZONE, { admin: true, technician: true })).toBeUndefined();
  });

  it('clears notes and unassigns with null', () => {
    const base = appointment({ technician_id: 't1', technician_name: 'Linus' });
    const draft = { ...draftOf(base, ZONE), notes: '', technician_id: '' };

    expect(patchFor(base, draft, ZONE, { admin: false, technician: true })).toEqual({
      expected_version: 3,
      notes: null,
      technician_id: null,
    });
  });

  it('after a 409 names what changed and keeps the unsaved text on the fresh card', () => {
    const old = appointment();
    const fresh = appointment({ version: 4, status: 'ready', appt_end: '2026-03-02T19:00:00.000Z' });
    const draft = { ...draftOf(old, ZONE), notes: 'my unsaved words' };

    const rebased = rebaseDraft(draft, draftOf(old, ZONE), draftOf(fresh, ZONE));

    expect(changedFields(old, fresh)).toEqual(['Status', 'End']);
    expect(rebased.notes).toBe('my unsaved words');
    expect(rebased.end).toBe('2026-03-02T11:00');
    expect(patchFor(fresh, rebased, ZONE, { admin: true, technician: true })).toEqual({
      expected_version: 4,
      notes: 'my unsaved words',
    });
  });

  it('maps a 400 or 422 to its fields, and claims nothing from other errors', () => {
    expect(
      fieldErrors(new ApiError(422, 'unprocessable', 'x', { appt_end: 'must be after appt_start' })),
    ).toEqual({ appt_end: 'must be after appt_start' });
    expect(fieldErrors(new ApiError(409, 'version_conflict', 'x', { current_version: 4 }))).toEqual({});
    expect(fieldErrors(new Error('network'))).toEqual({});
  });

  it('names services in an edit entry and shows times in the shop zone', () => {
    const entry: HistoryEntry = {
      at: '2026-03-02T17:10:00.000Z',
      version: 4,
      by,
      kind: 'edited',
      changes: {
        service_codes: { old: ['OIL001'], new: ['OIL001', 'BRK001'] },
        appt_start: { old: '2026-03-02T17:00:00.000Z', new: '2026-03-02T18:00:00.000Z' },
      },
    };

    expect(
      describeEntry(entry, ZONE, { services: new Map([['OIL001', 'Oil change']]), technicians: new Map() }),
    ).toBe('Services: Oil change → Oil change, BRK001; Start: 2026-03-02 09:00 → 2026-03-02 10:00');
  });

  it('names the technician of an edit entry', () => {
    const entry: HistoryEntry = {
      at: '2026-03-02T17:10:00.000Z',
      version: 4,
      by,
      kind: 'edited',
      changes: { technician_id: { old: null, new: 't1' } },
    };

    expect(describeEntry(entry, ZONE, { services: new Map(), technicians: new Map([['t1', 'Linus']]) })).toBe(
      'Technician: none → “Linus”',
    );
  });
});
