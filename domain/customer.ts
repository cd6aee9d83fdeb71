/** Customers and vehicles: the people and cars an appointment is for. */
export interface Customer {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  created_at: string;
}

export interface Vehicle {
  id: string;
  customer_id: string;
  year: number | null;
  make: string;
  model: string;
  vin: string | null;
  plate: string | null;
  created_at: string;
}

/** What the board shows for a vehicle, e.g. "2019 Toyota Camry (7ABC123)". */
export function vehicleLabel(v: Pick<Vehicle, 'year' | 'make' | 'model' | 'plate'>): string {
  const base = [v.year, v.make, v.model].filter((p) => p !== null && p !== undefined).join(' ');
  return v.plate ? `${base} (${v.plate})` : base;
}

/** At most this many customers answer a search. */
export const MAX_CUSTOMER_MATCHES = 20;

const folded = (text: string) => text.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
const digits = (text: string) => text.replace(/\D/g, '');

/**
 * The prefixes a search may start a customer's match with, normalised (case folded, whitespace
 * collapsed): the whole name, the name from each later word on ("lovelace" finds Ada Lovelace),
 * the phone's digits and the email. The repository writes one search key per prefix with the
 * customer, so a search is one bounded Query per form of the query, never a scan.
 */
export function customerSearchKeys(c: Pick<Customer, 'name' | 'phone' | 'email'>): string[] {
  const name = folded(c.name);
  const words = name.split(' ');
  const keys = words.map((_, i) => words.slice(i).join(' '));
  if (c.phone && digits(c.phone).length > 0) keys.push(digits(c.phone));
  if (c.email) keys.push(folded(c.email));
  return [...new Set(keys.filter((k) => k.length > 0))];
}

/**
 * The forms of `q` to look up as prefixes: folded as the keys are, and, when it reads as a phone
 * number (digits with + ( ) - . and spaces), its digits.
 */
export function customerSearchTerms(q: string): string[] {
  const terms = [folded(q)];
  if (/^[\d\s()+.-]+$/.test(q) && digits(q).length >= 2) terms.push(digits(q));
  return [...new Set(terms)].filter((t) => t.length >= 2);
}

/** Customers found by several keys once each, by name then id, at most MAX_CUSTOMER_MATCHES. */
export function rankMatches(found: Iterable<Customer>): Customer[] {
  const byId = new Map<string, Customer>();
  for (const c of found) byId.set(c.id, c);
  return [...byId.values()]
    .sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, MAX_CUSTOMER_MATCHES);
}
