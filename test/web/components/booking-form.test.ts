/** The booking form: its labelled fields, the customer search results, errors next to their fields. */
import { BookingFields, type BookingFieldsProps } from '../../../web/src/components/booking-form';
import { buttons, controlTag, labelledControls, render, textById, textOf } from './render';

const customer = {
  id: 'c1',
  name: 'Grace Hopper',
  phone: '555-0100',
  email: null,
  created_at: '2026-01-01T00:00:00Z',
};
const vehicle = {
  id: 'v1',
  customer_id: 'c1',
  year: 2021,
  make: 'Honda',
  model: 'Civic',
  vin: null,
  plate: 'ABC123',
  created_at: '2026-01-01T00:00:00Z',
};

function props(over: Partial<BookingFieldsProps> = {}): BookingFieldsProps {
  const nothing = () => undefined;
  return {
    zone: 'America/Los_Angeles',
    query: '',
    onQuery: nothing,
    found: undefined,
    onPick: nothing,
    customer: undefined,
    vehicles: [],
    vehicleId: '',
    onVehicle: nothing,
    date: '2026-03-02',
    onDate: nothing,
    start: '09:00',
    onStart: nothing,
    end: '10:00',
    onEnd: nothing,
    services: [{ code: 'OIL001', name: 'Oil change', price_cents: 4999, duration_minutes: 30 }],
    codes: [],
    onCodes: nothing,
    notes: '',
    onNotes: nothing,
    errors: {},
    general: undefined,
    busy: false,
    onSubmit: nothing,
    ...over,
  };
}

describe('BookingFields', () => {
  it('has the labelled fields Customer, Vehicle, Date, Start, End, Services, Notes and the Book button', () => {
    const html = render(BookingFields, props());

    expect(labelledControls(html)).toEqual({
      Customer: 'input',
      Vehicle: 'select',
      Date: 'input',
      Start: 'input',
      End: 'input',
      Services: 'select',
      Notes: 'textarea',
    });
    expect(buttons(html)).toEqual(['Book']);
    expect(controlTag(html, 'Services')).toContain('multiple');
    expect(textOf(html)).toContain('Times in America/Los_Angeles.');
  });

  it('keeps Vehicle disabled until a customer is picked, then lists their vehicles', () => {
    const before = render(BookingFields, props());
    const after = render(
      BookingFields,
      props({ customer, vehicles: [vehicle], vehicleId: 'v1', query: 'Grace Hopper' }),
    );

    expect(controlTag(before, 'Vehicle')).toContain('disabled');
    expect(controlTag(after, 'Vehicle')).not.toContain('disabled');
    expect(textOf(after)).toContain('2021 Honda Civic (ABC123)');
  });

  it('shows the search results as buttons to pick from, or says none matches', () => {
    const found = render(BookingFields, props({ query: 'gr', found: [customer] }));
    const none = render(BookingFields, props({ query: 'zz', found: [] }));

    expect(buttons(found)).toContain('Grace Hopper · 555-0100');
    expect(textOf(none)).toContain('No customer matches “zz”.');
  });

  it('shows each server error next to the field its details name, and others above Book', () => {
    const html = render(
      BookingFields,
      props({
        errors: {
          vehicle_id: 'vehicle v9 belongs to another customer',
          appt_end: 'must be after appt_start',
        },
        general: 'the server is busy',
      }),
    );

    expect(controlTag(html, 'Vehicle')).toContain('aria-describedby="book-vehicle-err"');
    expect(textById(html, 'book-vehicle-err')).toBe('vehicle v9 belongs to another customer');
    expect(controlTag(html, 'End')).toContain('aria-describedby="book-end-err"');
    expect(textById(html, 'book-end-err')).toBe('must be after appt_start');
    expect(controlTag(html, 'Start')).not.toContain('aria-invalid');
    expect(textOf(html)).toContain('Not booked: the server is busy');
  });
});
