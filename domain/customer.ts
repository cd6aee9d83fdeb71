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
