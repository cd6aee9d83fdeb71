/** The board's columns and the moves allowed between them. Pure: no I/O. */
export const STATUSES = ['scheduled', 'in_progress', 'ready', 'completed', 'no_show', 'canceled'] as const;
export type Status = (typeof STATUSES)[number];

const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  scheduled: ['in_progress', 'no_show', 'canceled'],
  in_progress: ['ready', 'scheduled'],
  ready: ['completed', 'in_progress'],
  completed: [],
  no_show: ['scheduled'],
  canceled: ['scheduled'],
};

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/** The columns a card in `from` may move to. */
export function allowedTargets(from: Status): readonly Status[] {
  return TRANSITIONS[from];
}

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Label used for metric dimensions, e.g. `scheduled->in_progress`. */
export function transitionLabel(from: Status | undefined, to: Status): string {
  return `${from ?? 'unknown'}->${to}`;
}
