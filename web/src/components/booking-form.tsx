/**
 * Booking: find the customer (two letters or more search the API), pick one of their vehicles,
 * the day and times in the shop's zone, services from the catalog, notes. Server errors show next
 * to the field their `details` name.
 */
import { useEffect, useState } from 'react';
import type { Appointment, BoardApi, Customer, ServiceView, Vehicle } from '../api';
import { fieldErrors, formError } from '../appointment-edit';
import { isDay, zonedToUtc } from '../format';
import { ServicesSelect } from './card-drawer';
import { Dialog, FieldError, InputField } from './dialog';

const SEARCH_DELAY_MS = 200;

export interface BookingFormProps {
  api: BoardApi;
  zone: string;
  /** The day the board shows: the form's first date. */
  day: string;
  services: readonly ServiceView[];
  onClose(): void;
  onBooked(appointment: Appointment): void;
}

export function BookingForm(props: BookingFormProps) {
  const { api } = props;
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Customer[] | undefined>(undefined);
  const [customer, setCustomer] = useState<Customer | undefined>(undefined);
  const [vehicles, setVehicles] = useState<Vehicle[]>([]);
  const [vehicleId, setVehicleId] = useState('');
  const [date, setDate] = useState(props.day);
  const [start, setStart] = useState('09:00');
  const [end, setEnd] = useState('10:00');
  const [codes, setCodes] = useState<string[]>([]);
  const [notes, setNotes] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (customer || query.trim().length < 2) {
      setFound(undefined);
      return;
    }
    let stale = false;
    const timer = setTimeout(() => {
      api.searchCustomers(query.trim()).then(
        (list) => {
          if (!stale) setFound(list);
        },
        (err: unknown) => {
          if (!stale) setErrors((e) => ({ ...e, customer_id: (err as Error).message }));
        },
      );
    }, SEARCH_DELAY_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [api, query, customer]);

  const pick = (c: Customer) => {
    setCustomer(c);
    setQuery(c.name);
    setFound(undefined);
    setVehicles([]);
    setVehicleId('');
    api.customerVehicles(c.id).then(
      (list) => {
        setVehicles(list);
        setVehicleId(list[0]?.id ?? '');
      },
      (err: unknown) => setErrors((e) => ({ ...e, vehicle_id: (err as Error).message })),
    );
  };

  const submit = async () => {
    const local: Record<string, string> = {};
    if (!customer) local.customer_id = 'pick a customer from the search results';
    if (!vehicleId) local.vehicle_id = 'pick a vehicle';
    if (!isDay(date)) local.appt_start = 'pick a date';
    if (codes.length === 0) local.service_codes = 'pick at least one service';
    if (Object.keys(local).length > 0 || !customer) {
      setErrors(local);
      return;
    }
    setBusy(true);
    setErrors({});
    setGeneral(undefined);
    try {
      const created = await api.createAppointment({
        customer_id: customer.id,
        vehicle_id: vehicleId,
        appt_start: zonedToUtc(date, start, props.zone),
        appt_end: zonedToUtc(date, end, props.zone),
        service_codes: codes,
        ...(notes.trim() ? { notes: notes.trim() } : {}),
      });
      props.onBooked(created);
    } catch (err) {
      setErrors(fieldErrors(err));
      setGeneral(formError(err, Object.keys(FIELD_IDS)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog labelledBy="booking-title" className="booking" onClose={props.onClose}>
      <div className="dialog-head">
        <h2 id="booking-title">New appointment</h2>
        <button type="button" className="dialog-close" onClick={props.onClose}>
          Close
        </button>
      </div>
      <BookingFields
        zone={props.zone}
        query={query}
        onQuery={(q) => {
          setQuery(q);
          setCustomer(undefined);
          setVehicles([]);
          setVehicleId('');
        }}
        found={found}
        onPick={pick}
        customer={customer}
        vehicles={vehicles}
        vehicleId={vehicleId}
        onVehicle={setVehicleId}
        date={date}
        onDate={setDate}
        start={start}
        onStart={setStart}
        end={end}
        onEnd={setEnd}
        services={props.services}
        codes={codes}
        onCodes={setCodes}
        notes={notes}
        onNotes={setNotes}
        errors={errors}
        general={general}
        busy={busy}
        onSubmit={() => void submit()}
      />
    </Dialog>
  );
}

/** Where each API field's error shows (the form's own field for it). */
const FIELD_IDS: Record<string, string> = {
  customer_id: 'book-customer',
  vehicle_id: 'book-vehicle',
  appt_start: 'book-start',
  appt_end: 'book-end',
  service_codes: 'book-services',
  notes: 'book-notes',
};

export interface BookingFieldsProps {
  zone: string;
  query: string;
  onQuery(q: string): void;
  found: Customer[] | undefined;
  onPick(c: Customer): void;
  customer: Customer | undefined;
  vehicles: Vehicle[];
  vehicleId: string;
  onVehicle(id: string): void;
  date: string;
  onDate(d: string): void;
  start: string;
  onStart(t: string): void;
  end: string;
  onEnd(t: string): void;
  services: readonly ServiceView[];
  codes: string[];
  onCodes(codes: string[]): void;
  notes: string;
  onNotes(n: string): void;
  errors: Record<string, string>;
  general: string | undefined;
  busy: boolean;
  onSubmit(): void;
}

/** The form itself (rendered on its own by the component tests). */
export function BookingFields(p: BookingFieldsProps) {
  const described = (field: string) =>
    p.errors[field] ? { 'aria-describedby': `${FIELD_IDS[field]}-err`, 'aria-invalid': true } : {};
  const error = (field: string) => <FieldError id={`${FIELD_IDS[field]}-err`} text={p.errors[field]} />;
  return (
    <form
      className="booking-form"
      aria-label="Book an appointment"
      onSubmit={(e) => {
        e.preventDefault();
        p.onSubmit();
      }}
    >
      <label htmlFor="book-customer">Customer</label>
      <input
        id="book-customer"
        type="search"
        autoComplete="off"
        placeholder="Type two letters of a name, phone or email"
        value={p.query}
        onChange={(e) => p.onQuery(e.target.value)}
        {...described('customer_id')}
      />
      {error('customer_id')}
      {p.found ? (
        p.found.length === 0 ? (
          <p className="search-empty" role="status">
            No customer matches “{p.query}”.
          </p>
        ) : (
          <ul className="search-results" aria-label="Customers found">
            {p.found.map((c) => (
              <li key={c.id}>
                <button type="button" onClick={() => p.onPick(c)}>
                  {c.name}
                  {c.phone ? ` · ${c.phone}` : ''}
                  {c.email ? ` · ${c.email}` : ''}
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}

      <label htmlFor="book-vehicle">Vehicle</label>
      <select
        id="book-vehicle"
        value={p.vehicleId}
        disabled={!p.customer}
        onChange={(e) => p.onVehicle(e.target.value)}
        {...described('vehicle_id')}
      >
        {p.vehicles.length === 0 ? (
          <option value="">{p.customer ? 'No vehicles' : 'Pick a customer first'}</option>
        ) : null}
        {p.vehicles.map((v) => (
          <option key={v.id} value={v.id}>
            {[v.year, v.make, v.model].filter(Boolean).join(' ')}
            {v.plate ? ` (${v.plate})` : ''}
          </option>
        ))}
      </select>
      {error('vehicle_id')}

      <div className="field-row">
        <div>
          <InputField id="book-date" label="Date" type="date" value={p.date} onChange={p.onDate} />
        </div>
        <div>
          <InputField
            id="book-start"
            label="Start"
            type="time"
            value={p.start}
            onChange={p.onStart}
            error={p.errors.appt_start}
          />
        </div>
        <div>
          <InputField
            id="book-end"
            label="End"
            type="time"
            value={p.end}
            onChange={p.onEnd}
            error={p.errors.appt_end}
          />
        </div>
      </div>
      <p className="hint">Times in {p.zone}.</p>

      <ServicesSelect
        id="book-services"
        services={p.services}
        value={p.codes}
        onChange={p.onCodes}
        error={p.errors.service_codes}
      />

      <label htmlFor="book-notes">Notes</label>
      <textarea
        id="book-notes"
        rows={2}
        maxLength={2000}
        value={p.notes}
        onChange={(e) => p.onNotes(e.target.value)}
        {...described('notes')}
      />
      {error('notes')}

      {p.general ? (
        <p className="notice notice-error" role="alert">
          Not booked: {p.general}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={p.busy}>
        {p.busy ? 'Booking…' : 'Book'}
      </button>
    </form>
  );
}
