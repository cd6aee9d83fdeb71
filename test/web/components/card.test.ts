/** A board card: its technician, its time in status, the overdue mark (in words), and what each role may do. */
import type { BoardItem } from '../../../web/src/api';
import { AGING_THRESHOLDS, overdueLabel, timeInStatus } from '../../../web/src/card-aging';
import { Card, type CardProps } from '../../../web/src/components/card';
import { aCard } from '../support/fake-api';
import { render, textOf } from './render';

const NOW = Date.parse('2026-03-02T15:20:00.000Z');

function props(card: BoardItem, over: Partial<CardProps> = {}): CardProps {
  const nothing = () => undefined;
  return {
    card,
    move: undefined,
    serviceNames: new Map([['OIL001', 'Oil change']]),
    autoFocus: false,
    onFocused: nothing,
    onMove: nothing,
    onLockedTouch: nothing,
    onDragStart: nothing,
    onDragEnd: nothing,
    canMove: true,
    onOpen: nothing,
    zone: 'America/Los_Angeles',
    nowMs: NOW,
    ...over,
  };
}

describe('Card', () => {
  it("shows its time in the shop's zone, its technician and its time in status", () => {
    const card = aCard({
      status: 'in_progress',
      appt_end: '2026-03-02T16:00:00.000Z',
      status_since: '2026-03-02T14:00:00.000Z',
      technician_id: 't1',
      technician_name: 'Linus',
    });

    const text = textOf(render(Card, props(card)));

    expect(text).toContain('05:00–08:00');
    expect(text).toContain('Technician: Linus');
    expect(text).toContain('in progress 1 h 20 m');
    expect(text).not.toContain('Overdue');
  });

  it('says Unassigned for a card with no technician', () => {
    expect(textOf(render(Card, props(aCard({ technician_id: null }))))).toContain('Unassigned');
  });

  it('marks an overdue card with a text label and a class, and says so in its accessible name', () => {
    const card = aCard({
      status: 'in_progress',
      appt_end: '2026-03-02T15:00:00.000Z',
      status_since: '2026-03-02T14:00:00.000Z',
    });

    const html = render(Card, props(card));

    expect(html).toContain('card-overdue');
    expect(textOf(html)).toContain('Overdue: past its end time');
    expect(html).toMatch(/aria-label="[^"]*Overdue: past its end time/);
  });

  it('offers a viewer no move control, and Enter for details', () => {
    const html = render(Card, props(aCard(), { canMove: false }));

    expect(html).not.toContain('card-move');
    expect(html).toContain('draggable="false"');
    expect(html).toMatch(/aria-label="[^"]*\. Press Enter for details\."/);
  });
});

describe('card aging', () => {
  const at = (iso: string) => Date.parse(iso);

  it.each([
    ['in progress before its end', 'in_progress', '2026-03-02T16:00:00Z', '2026-03-02T14:00:00Z', undefined],
    [
      'in progress past its end',
      'in_progress',
      '2026-03-02T15:00:00Z',
      '2026-03-02T14:00:00Z',
      'Overdue: past its end time',
    ],
    ['ready for 30 minutes', 'ready', '2026-03-02T16:00:00Z', '2026-03-02T14:50:00Z', undefined],
    [
      'ready for 31 minutes',
      'ready',
      '2026-03-02T16:00:00Z',
      '2026-03-02T14:49:00Z',
      'Waiting: ready over 30 m',
    ],
    ['scheduled long ago', 'scheduled', '2026-03-02T09:00:00Z', '2026-03-01T09:00:00Z', undefined],
  ] as const)('marks a card %s', (_what, status, appt_end, status_since, label) => {
    expect(overdueLabel({ status, appt_end, status_since }, NOW)).toBe(label);
  });

  it('takes its thresholds from the one config object', () => {
    const card = {
      status: 'ready' as const,
      appt_end: '2026-03-02T16:00:00Z',
      status_since: '2026-03-02T15:10:00Z',
    };

    expect(overdueLabel(card, NOW)).toBeUndefined();
    expect(overdueLabel(card, NOW, { ...AGING_THRESHOLDS, readyMaxMinutes: 5 })).toBe(
      'Waiting: ready over 5 m',
    );
  });

  it('ticks with the clock alone', () => {
    const card = aCard({ status: 'ready', status_since: '2026-03-02T15:00:00.000Z' });

    expect(timeInStatus(card, at('2026-03-02T15:00:30Z'))).toBe('ready 0 m');
    expect(timeInStatus(card, at('2026-03-02T15:45:00Z'))).toBe('ready 45 m');
    expect(timeInStatus(card, at('2026-03-03T17:00:00Z'))).toBe('ready 1 d 2 h');
  });
});
