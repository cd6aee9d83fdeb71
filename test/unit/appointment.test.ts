import {
  createAppointment,
  patchAppointment,
  presentAppointment,
  statusSince,
  type Appointment,
  type AppointmentRefs,
} from '../../domain/appointment';
import type { Service } from '../../domain/catalog';
import { customerSearchKeys, customerSearchTerms, type Customer, type Vehicle } from '../../domain/customer';
import { UnprocessableError, VersionConflictError } from '../../domain/errors';
import type { CreateAppointmentInput, PatchAppointmentInput } from '../../domain/schemas';
import type { Technician } from '../../domain/technician';
import { anAppointment as baseAppointment } from '../support/factories';

const NOW = '2025-09-30T12:00:00.000Z';
const LATER = '2025-09-30T13:30:00.000Z';

const CATALOG: Service[] = [
  { code: 'OIL001', name: 'Oil change', price_cents: 4999, duration_minutes: 45 },
  { code: 'TIRE001', name: 'Tire rotation', price_cents: 3999, duration_minutes: 30 },
];

function aCustomer(overrides: Partial<Customer> = {}): Customer {
  return { id: 'cust-1', name: 'Ada Lovelace', phone: null, email: null, created_at: NOW, ...overrides };
}

function aVehicle(overrides: Partial<Vehicle> = {}): Vehicle {
  return {
    id: 'veh-1',
    customer_id: 'cust-1',
    year: 2019,
    make: 'Toyota',
    model: 'Camry',
    vin: null,
    plate: '7ABC123',
    created_at: NOW,
    ...overrides,
  };
}

function anInput(overrides: Partial<CreateAppointmentInput> = {}): CreateAppointmentInput {
  return {
    customer_id: 'cust-1',
    vehicle_id: 'veh-1',
    appt_start: '2025-10-01T15:00:00Z',
    appt_end: '2025-10-01T16:00:00Z',
    service_codes: ['OIL001'],
    ...overrides,
  };
}

function someRefs(overrides: Partial<AppointmentRefs> = {}): AppointmentRefs {
  return { customer: aCustomer(), vehicle: aVehicle(), catalog: CATALOG, ...overrides };
}

function anAppointment(overrides: Partial<Appointment> = {}): Appointment {
  return baseAppointment({
    status: 'in_progress',
    version: 4,
    status_version: 2,
    notes: 'keys in the box',
    status_entered_at: { scheduled: NOW, in_progress: NOW },
    last_move_id: 'move-1',
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  });
}

function aPatch(overrides: Partial<PatchAppointmentInput> = {}): PatchAppointmentInput {
  return { expected_version: 4, ...overrides };
}

/** Runs `fn` and returns what it threw, so assertions stay outside any catch. */
function errorFrom(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe('createAppointment', () => {
  it('builds a scheduled card at version 1 with the names the board shows', () => {
    const appt = createAppointment(anInput({ notes: 'x' }), someRefs(), 'appt-7', NOW);

    expect(appt).toEqual({
      id: 'appt-7',
      status: 'scheduled',
      version: 1,
      status_version: 1,
      customer_id: 'cust-1',
      vehicle_id: 'veh-1',
      customer_name: 'Ada Lovelace',
      vehicle_label: '2019 Toyota Camry (7ABC123)',
      appt_start: '2025-10-01T15:00:00.000Z',
      appt_end: '2025-10-01T16:00:00.000Z',
      service_codes: ['OIL001'],
      notes: 'x',
      technician_id: null,
      technician_name: null,
      status_entered_at: { scheduled: NOW },
      last_move_id: null,
      created_at: NOW,
      updated_at: NOW,
    });
  });

  it('stores notes as null when none are given', () => {
    const appt = createAppointment(anInput(), someRefs(), 'appt-7', NOW);

    expect(appt.notes).toBeNull();
  });

  it.each([
    ['without a plate', { plate: null }, '2019 Toyota Camry'],
    ['without a year', { year: null }, 'Toyota Camry (7ABC123)'],
    ['without year or plate', { year: null, plate: null }, 'Toyota Camry'],
  ])('labels a vehicle %s', (_label, overrides, expected) => {
    const appt = createAppointment(anInput(), someRefs({ vehicle: aVehicle(overrides) }), 'appt-7', NOW);

    expect(appt.vehicle_label).toBe(expected);
  });

  it('copies the service codes rather than sharing the input array', () => {
    const input = anInput({ service_codes: ['OIL001', 'TIRE001'] });

    const appt = createAppointment(input, someRefs(), 'appt-7', NOW);
    input.service_codes.push('BRAKE001');

    expect(appt.service_codes).toEqual(['OIL001', 'TIRE001']);
  });

  it('normalises the instants to millisecond ISO form', () => {
    const appt = createAppointment(
      anInput({ appt_start: '2025-10-01T15:00:00.5Z', appt_end: '2025-10-01T16:00:00Z' }),
      someRefs(),
      'appt-7',
      NOW,
    );

    expect([appt.appt_start, appt.appt_end]).toEqual([
      '2025-10-01T15:00:00.500Z',
      '2025-10-01T16:00:00.000Z',
    ]);
  });

  describe('refuses with a 422 naming the field', () => {
    it.each([
      [
        'customer_id when the customer is unknown',
        { customer: undefined },
        { customer_id: 'no customer with id cust-1' },
      ],
      [
        'vehicle_id when the vehicle is unknown',
        { vehicle: undefined },
        { vehicle_id: 'no vehicle with id veh-1' },
      ],
      [
        'vehicle_id when the vehicle belongs to another customer',
        { vehicle: aVehicle({ customer_id: 'cust-2' }) },
        { vehicle_id: 'vehicle veh-1 belongs to another customer' },
      ],
    ])('%s', (_label, refs, details) => {
      const err = errorFrom(() => createAppointment(anInput(), someRefs(refs), 'appt-7', NOW));

      expect(err).toBeInstanceOf(UnprocessableError);
      expect(err).toMatchObject({ httpStatus: 422, code: 'unprocessable', details });
    });

    it('service_codes, listing every unknown code', () => {
      const input = anInput({ service_codes: ['OIL001', 'NOPE1', 'NOPE2'] });

      const err = errorFrom(() => createAppointment(input, someRefs(), 'appt-7', NOW));

      expect(err).toBeInstanceOf(UnprocessableError);
      expect((err as UnprocessableError).details).toEqual({
        service_codes: 'unknown service code(s): NOPE1, NOPE2',
      });
    });

    it.each([
      ['equals', '2025-10-01T15:00:00Z'],
      ['precedes', '2025-10-01T14:59:59Z'],
    ])('appt_end when it %s appt_start', (_label, end) => {
      const input = anInput({ appt_start: '2025-10-01T15:00:00Z', appt_end: end });

      const err = errorFrom(() => createAppointment(input, someRefs(), 'appt-7', NOW));

      expect(err).toBeInstanceOf(UnprocessableError);
      expect((err as UnprocessableError).details).toEqual({ appt_end: 'must be after appt_start' });
    });

    it('every problem at once', () => {
      const input = anInput({
        appt_start: '2025-10-01T16:00:00Z',
        appt_end: '2025-10-01T15:00:00Z',
        service_codes: ['NOPE1'],
      });

      const err = errorFrom(() =>
        createAppointment(input, someRefs({ customer: undefined, vehicle: undefined }), 'appt-7', NOW),
      );

      expect(Object.keys((err as UnprocessableError).details ?? {}).sort()).toEqual([
        'appt_end',
        'customer_id',
        'service_codes',
        'vehicle_id',
      ]);
    });
  });
});

describe('patchAppointment', () => {
  it('throws a VersionConflictError carrying the current version when the version is stale', () => {
    const current = anAppointment({ version: 6 });

    const err = errorFrom(() =>
      patchAppointment(current, aPatch({ expected_version: 5, notes: 'x' }), CATALOG, LATER),
    );

    expect(err).toBeInstanceOf(VersionConflictError);
    expect(err).toMatchObject({ httpStatus: 409, code: 'version_conflict', details: { current_version: 6 } });
  });

  it('reports the version conflict before checking the edit', () => {
    const current = anAppointment({ version: 6 });

    const err = errorFrom(() =>
      patchAppointment(current, aPatch({ expected_version: 5, service_codes: ['NOPE'] }), CATALOG, LATER),
    );

    expect(err).toBeInstanceOf(VersionConflictError);
  });

  it('changes the notes, bumps the version and keeps everything else', () => {
    const current = anAppointment();

    const next = patchAppointment(current, aPatch({ notes: 'call before starting' }), CATALOG, LATER);

    expect(next).toEqual({ ...current, notes: 'call before starting', version: 5, updated_at: LATER });
  });

  describe('technician_id', () => {
    const tech = (over: Partial<Technician> = {}): Technician => ({
      id: 'T1',
      name: 'Marco Diaz',
      active: true,
      created_at: NOW,
      ...over,
    });

    it("gives the card to an active technician, copying the technician's name", () => {
      const next = patchAppointment(anAppointment(), aPatch({ technician_id: 'T1' }), CATALOG, LATER, tech());

      expect(next).toMatchObject({ technician_id: 'T1', technician_name: 'Marco Diaz', version: 5 });
    });

    it('unassigns with null', () => {
      const current = anAppointment({ technician_id: 'T1', technician_name: 'Marco Diaz' });

      const next = patchAppointment(current, aPatch({ technician_id: null }), CATALOG, LATER);

      expect([next.technician_id, next.technician_name]).toEqual([null, null]);
    });

    it('keeps the technician when the patch leaves it out', () => {
      const current = anAppointment({ technician_id: 'T1', technician_name: 'Marco Diaz' });

      const next = patchAppointment(current, aPatch({ notes: 'x' }), CATALOG, LATER);

      expect([next.technician_id, next.technician_name]).toEqual(['T1', 'Marco Diaz']);
    });

    it.each([
      ['unknown', undefined, 'no technician with id T1'],
      ['inactive', tech({ active: false }), 'technician T1 is not active'],
    ])('refuses an %s technician with a 422 naming technician_id', (_label, found, message) => {
      const err = errorFrom(() =>
        patchAppointment(anAppointment(), aPatch({ technician_id: 'T1' }), CATALOG, LATER, found),
      );

      expect(err).toBeInstanceOf(UnprocessableError);
      expect((err as UnprocessableError).details).toEqual({ technician_id: message });
    });
  });

  it('clears the notes when given null', () => {
    const next = patchAppointment(anAppointment({ notes: 'old' }), aPatch({ notes: null }), CATALOG, LATER);

    expect(next.notes).toBeNull();
  });

  it('keeps the notes when the patch leaves them out', () => {
    const next = patchAppointment(
      anAppointment({ notes: 'old' }),
      aPatch({ service_codes: ['TIRE001'] }),
      CATALOG,
      LATER,
    );

    expect(next).toMatchObject({ notes: 'old', service_codes: ['TIRE001'], version: 5 });
  });

  it('never changes the status, the version it was entered at, or its timestamps', () => {
    const current = anAppointment({ status: 'ready', status_version: 3, status_entered_at: { ready: NOW } });

    const next = patchAppointment(current, aPatch({ notes: 'x' }), CATALOG, LATER);

    expect([next.status, next.status_version, next.status_entered_at]).toEqual(['ready', 3, { ready: NOW }]);
  });

  it('moves the schedule, normalising the instants', () => {
    const next = patchAppointment(
      anAppointment(),
      aPatch({ appt_start: '2025-10-02T09:00:00Z', appt_end: '2025-10-02T10:30:00Z' }),
      CATALOG,
      LATER,
    );

    expect([next.appt_start, next.appt_end]).toEqual([
      '2025-10-02T09:00:00.000Z',
      '2025-10-02T10:30:00.000Z',
    ]);
  });

  it('leaves the current card unchanged', () => {
    const current = anAppointment();
    const before = structuredClone(current);

    patchAppointment(current, aPatch({ notes: null, service_codes: ['TIRE001'] }), CATALOG, LATER);

    expect(current).toEqual(before);
  });

  describe('re-checks the schedule and refuses with a 422', () => {
    it.each([
      ['a new end before the current start', { appt_end: '2025-10-01T14:00:00Z' }, 'appt_end'],
      ['a new start after the current end', { appt_start: '2025-10-01T17:00:00Z' }, 'appt_end'],
      ['a new start equal to the current end', { appt_start: '2025-10-01T16:00:00Z' }, 'appt_end'],
      ['unknown service codes', { service_codes: ['OIL001', 'NOPE'] }, 'service_codes'],
    ])('for %s', (_label, overrides, field) => {
      const err = errorFrom(() => patchAppointment(anAppointment(), aPatch(overrides), CATALOG, LATER));

      expect(err).toBeInstanceOf(UnprocessableError);
      expect(Object.keys((err as UnprocessableError).details ?? {})).toEqual([field]);
    });

    it('naming the codes that are not in the catalog', () => {
      const err = errorFrom(() =>
        patchAppointment(anAppointment(), aPatch({ service_codes: ['NOPE'] }), CATALOG, LATER),
      );

      expect((err as UnprocessableError).details).toEqual({ service_codes: 'unknown service code(s): NOPE' });
    });
  });
});

describe('statusSince', () => {
  it('is when the card entered its current column', () => {
    const card = anAppointment({
      status: 'in_progress',
      status_entered_at: { scheduled: '2025-10-01T08:00:00.000Z', in_progress: '2025-10-01T09:00:00.000Z' },
    });

    expect(statusSince(card)).toBe('2025-10-01T09:00:00.000Z');
  });

  it('falls back to the last change for a card without that column recorded', () => {
    const card = anAppointment({
      status: 'ready',
      status_entered_at: { scheduled: '2025-10-01T08:00:00.000Z' },
      updated_at: '2025-10-01T10:00:00.000Z',
    });

    expect(statusSince(card)).toBe('2025-10-01T10:00:00.000Z');
  });

  it('is shown on the API view', () => {
    const card = anAppointment({
      status: 'scheduled',
      status_entered_at: { scheduled: '2025-10-01T08:00:00.000Z' },
    });

    expect(presentAppointment(card).status_since).toBe('2025-10-01T08:00:00.000Z');
  });
});

describe('customer search keys', () => {
  it('folds case and whitespace, keys every later word of the name, the phone digits and the email', () => {
    expect(
      customerSearchKeys({ name: ' Ada  King Lovelace', phone: '(555) 010-1000', email: 'Ada@Example.com' }),
    ).toEqual(['ada king lovelace', 'king lovelace', 'lovelace', '5550101000', 'ada@example.com']);
  });

  it('searches a phone-like query by its digits too, and nothing under 2 characters', () => {
    expect(customerSearchTerms('(555) 01')).toEqual(['(555) 01', '55501']);
    expect(customerSearchTerms('  ADA ')).toEqual(['ada']);
    expect(customerSearchTerms('+1')).toEqual(['+1']);
  });
});
