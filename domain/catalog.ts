/** The shop's service catalog, seeded into the table at start-up. */
export interface Service {
  code: string;
  name: string;
  price_cents: number;
  duration_minutes: number;
}

export const SERVICE_CATALOG: readonly Service[] = [
  { code: 'OIL001', name: 'Oil change', price_cents: 4999, duration_minutes: 45 },
  { code: 'TIRE001', name: 'Tire rotation', price_cents: 3999, duration_minutes: 30 },
  { code: 'BRAKE001', name: 'Brake pad replacement', price_cents: 18999, duration_minutes: 120 },
  { code: 'INSP001', name: 'Multi-point inspection', price_cents: 2999, duration_minutes: 30 },
  { code: 'BATT001', name: 'Battery replacement', price_cents: 15999, duration_minutes: 30 },
  { code: 'ALIGN001', name: 'Wheel alignment', price_cents: 8999, duration_minutes: 60 },
];
