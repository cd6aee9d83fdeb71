import type { Appointment } from '../../domain/appointment';
import {
  applyMoveToCard,
  decideMove,
  moveRequestKey,
  newMoveRecord,
  presentMove,
  settleMove,
  type MoveDecision,
  type MoveRecord,
  type MoveRequest,
} from '../../domain/move';
import type { Status } from '../../domain/status';
import { anAppointment } from '../support/factories';

const CREATED = '2025-10-01T08:00:00.000Z';
const SUBMITTED = '2025-10-01T09:00:00.000Z';
const NOW = '2025-10-01T09:00:01.000Z';

function aCard(overrides: Partial<Appointment> = {}): Appointment {
  return anAppointment({
    notes: 'customer waits',
    status_entered_at: { scheduled: CREATED },
    created_at: CREATED,
    updated_at: CREATED,
    ...overrides,
  });
}

function aMove(overrides: Partial<MoveRequest> = {}): MoveRequest {
  return {
    move_id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
    appointment_id: 'appt-1',
    to_status: 'in_progress',
    expected_version: 3,
    ...overrides,
  };
}

function aRecord(overrides: Partial<MoveRecord> = {}): MoveRecord {
  return { ...newMoveRecord(aMove(), SUBMITTED), ...overrides };
}

describe('decideMove', () => {
  describe('applies', () => {
    it('a legal move whose version matches, bumping the version', () => {
      const card = aCard({ status: 'scheduled', version: 3 });

      const decision = decideMove(card, aMove({ to_status: 'in_progress', expected_version: 3 }));

      expect(decision).toEqual({
        kind: 'apply',
        from: 'scheduled',
        to: 'in_progress',
        readVersion: 3,
        newVersion: 4,
        rebased: false,
      });
    });

    it('a matching version without rebasing even when from_status is also given', () => {
      const card = aCard({ status: 'ready', version: 8 });

      const decision = decideMove(
        card,
        aMove({ to_status: 'completed', expected_version: 8, from_status: 'ready' }),
      );

      expect(decision).toMatchObject({ kind: 'apply', readVersion: 8, newVersion: 9, rebased: false });
    });

    it.each([
      ['scheduled', 'in_progress'],
      ['scheduled', 'no_show'],
      ['scheduled', 'canceled'],
      ['in_progress', 'ready'],
      ['in_progress', 'scheduled'],
      ['ready', 'completed'],
      ['ready', 'in_progress'],
      ['no_show', 'scheduled'],
      ['canceled', 'scheduled'],
    ] as const)('the legal move %s -> %s', (from, to) => {
      const decision = decideMove(
        aCard({ status: from, version: 2 }),
        aMove({ to_status: to, expected_version: 2 }),
      );

      expect(decision).toMatchObject({ kind: 'apply', from, to });
    });
  });

  describe('rebases', () => {
    it('a stale move whose card is still in from_status onto the current version', () => {
      const card = aCard({ status: 'scheduled', version: 5 });

      const decision = decideMove(
        card,
        aMove({ to_status: 'in_progress', expected_version: 3, from_status: 'scheduled' }),
      );

      expect(decision).toEqual({
        kind: 'apply',
        from: 'scheduled',
        to: 'in_progress',
        readVersion: 5,
        newVersion: 6,
        rebased: true,
      });
    });

    it('a stale move when the card entered from_status exactly at the version the client saw', () => {
      const card = aCard({ status: 'in_progress', version: 6, status_version: 4 });

      const decision = decideMove(
        card,
        aMove({ to_status: 'ready', expected_version: 4, from_status: 'in_progress' }),
      );

      expect(decision).toMatchObject({ kind: 'apply', readVersion: 6, newVersion: 7, rebased: true });
    });

    it('and still rejects it when the rebased move is not a legal transition', () => {
      const card = aCard({ status: 'scheduled', version: 5 });

      const decision = decideMove(
        card,
        aMove({ to_status: 'completed', expected_version: 3, from_status: 'scheduled' }),
      );

      expect(decision).toEqual({
        kind: 'rejected',
        reason: 'invalid_transition',
        current: { status: 'scheduled', version: 5 },
        allowed: ['in_progress', 'no_show', 'canceled'],
      });
    });
  });

  describe('reports a noop', () => {
    it.each([
      ['the version matches', { expected_version: 7 }],
      ['the version is stale', { expected_version: 2 }],
      ['the version is ahead', { expected_version: 99 }],
      ['from_status names another column', { expected_version: 2, from_status: 'in_progress' as Status }],
    ])('when the card is already in to_status and %s', (_label, overrides) => {
      const card = aCard({ status: 'ready', version: 7 });

      const decision = decideMove(card, aMove({ to_status: 'ready', ...overrides }));

      expect(decision).toEqual({ kind: 'noop', status: 'ready', version: 7 });
    });

    it('for a completed card dragged to completed again', () => {
      const decision = decideMove(
        aCard({ status: 'completed', version: 4 }),
        aMove({ to_status: 'completed', expected_version: 1 }),
      );

      expect(decision).toEqual({ kind: 'noop', status: 'completed', version: 4 });
    });
  });

  describe('reports a conflict with the current card', () => {
    it.each([
      ['no from_status is given', {}],
      ['the card left from_status', { from_status: 'in_progress' as Status }],
    ])('when the version is stale and %s', (_label, overrides) => {
      const card = aCard({ status: 'scheduled', version: 4 });

      const decision = decideMove(card, aMove({ to_status: 'no_show', expected_version: 3, ...overrides }));

      expect(decision).toEqual({ kind: 'conflict', current: { status: 'scheduled', version: 4 } });
    });

    it('rather than a rejection when the move is stale, illegal and the column changed', () => {
      const card = aCard({ status: 'completed', version: 9 });

      const decision = decideMove(
        card,
        aMove({ to_status: 'no_show', expected_version: 3, from_status: 'scheduled' }),
      );

      expect(decision).toEqual({ kind: 'conflict', current: { status: 'completed', version: 9 } });
    });

    it('when the card left from_status and came back after the version the client saw', () => {
      const card = aCard({ status: 'scheduled', version: 6, status_version: 5 });

      const decision = decideMove(
        card,
        aMove({ to_status: 'in_progress', expected_version: 3, from_status: 'scheduled' }),
      );

      expect(decision).toEqual({ kind: 'conflict', current: { status: 'scheduled', version: 6 } });
    });

    it('when expected_version is ahead of the card, even with a matching from_status', () => {
      const card = aCard({ status: 'scheduled', version: 3, status_version: 1 });

      const decision = decideMove(
        card,
        aMove({ to_status: 'in_progress', expected_version: 5, from_status: 'scheduled' }),
      );

      expect(decision).toEqual({ kind: 'conflict', current: { status: 'scheduled', version: 3 } });
    });

    it('when a stale move meets a card stored before status_version existed', () => {
      const legacy = { ...aCard({ status: 'scheduled', version: 5 }), status_version: undefined };

      const decision = decideMove(
        legacy as unknown as Appointment,
        aMove({ to_status: 'in_progress', expected_version: 3, from_status: 'scheduled' }),
      );

      expect(decision).toEqual({ kind: 'conflict', current: { status: 'scheduled', version: 5 } });
    });

    it('when expected_version is ahead of the card and no from_status is given', () => {
      const decision = decideMove(
        aCard({ status: 'scheduled', version: 3 }),
        aMove({ to_status: 'in_progress', expected_version: 4 }),
      );

      expect(decision).toEqual({ kind: 'conflict', current: { status: 'scheduled', version: 3 } });
    });
  });

  describe('rejects', () => {
    it.each([
      ['scheduled', 'ready', ['in_progress', 'no_show', 'canceled']],
      ['scheduled', 'completed', ['in_progress', 'no_show', 'canceled']],
      ['in_progress', 'completed', ['ready', 'scheduled']],
      ['ready', 'scheduled', ['completed', 'in_progress']],
      ['no_show', 'in_progress', ['scheduled']],
      ['canceled', 'ready', ['scheduled']],
      ['completed', 'scheduled', []],
    ] as const)('%s -> %s as invalid_transition, listing the allowed columns', (from, to, allowed) => {
      const card = aCard({ status: from, version: 6 });

      const decision = decideMove(card, aMove({ to_status: to, expected_version: 6 }));

      expect(decision).toEqual({
        kind: 'rejected',
        reason: 'invalid_transition',
        current: { status: from, version: 6 },
        allowed,
      });
    });

    it('a move for a card that does not exist as not_found', () => {
      const decision = decideMove(undefined, aMove());

      expect(decision).toEqual({ kind: 'rejected', reason: 'not_found' });
    });

    it('with a copy of the allowed list, so changing it leaves the rules alone', () => {
      const first = decideMove(aCard({ status: 'no_show' }), aMove({ to_status: 'ready' }));
      if (first.kind !== 'rejected') throw new Error(`expected a rejection, got ${first.kind}`);

      first.allowed?.push('ready');
      const second = decideMove(aCard({ status: 'no_show' }), aMove({ to_status: 'ready' }));

      expect(second).toMatchObject({ kind: 'rejected', allowed: ['scheduled'] });
    });
  });
});

describe('settleMove', () => {
  it('marks an applied move applied with the new version and the column it left', () => {
    const record = aRecord({ from_status: null });
    const decision: MoveDecision = {
      kind: 'apply',
      from: 'scheduled',
      to: 'in_progress',
      readVersion: 3,
      newVersion: 4,
      rebased: false,
    };

    const settled = settleMove(record, decision, NOW);

    expect(settled).toEqual({
      ...record,
      status: 'applied',
      from_status: 'scheduled',
      version: 4,
      noop: false,
      rebased: false,
      decided_at: NOW,
    });
  });

  it('records that an applied move was rebased', () => {
    const decision: MoveDecision = {
      kind: 'apply',
      from: 'scheduled',
      to: 'in_progress',
      readVersion: 5,
      newVersion: 6,
      rebased: true,
    };

    const settled = settleMove(aRecord({ from_status: 'scheduled' }), decision, NOW);

    expect(settled).toMatchObject({ status: 'applied', version: 6, rebased: true });
  });

  it('marks a noop applied with noop=true and the card version', () => {
    const record = aRecord({ from_status: 'scheduled', to_status: 'ready' });

    const settled = settleMove(record, { kind: 'noop', status: 'ready', version: 7 }, NOW);

    expect(settled).toEqual({
      ...record,
      status: 'applied',
      from_status: 'scheduled',
      version: 7,
      noop: true,
      decided_at: NOW,
    });
  });

  it('fills a missing from_status of a noop with the column the card is in', () => {
    const settled = settleMove(
      aRecord({ from_status: null }),
      { kind: 'noop', status: 'ready', version: 7 },
      NOW,
    );

    expect(settled.from_status).toBe('ready');
  });

  it('marks a conflict with the current status and version and no new version', () => {
    const record = aRecord();

    const settled = settleMove(
      record,
      { kind: 'conflict', current: { status: 'in_progress', version: 5 } },
      NOW,
    );

    expect(settled).toEqual({
      ...record,
      status: 'conflict',
      current: { status: 'in_progress', version: 5 },
      decided_at: NOW,
    });
    expect(settled).not.toHaveProperty('version');
  });

  it('marks an invalid transition rejected with the reason, current card and allowed columns', () => {
    const record = aRecord({ to_status: 'completed' });

    const settled = settleMove(
      record,
      {
        kind: 'rejected',
        reason: 'invalid_transition',
        current: { status: 'scheduled', version: 3 },
        allowed: ['in_progress', 'no_show', 'canceled'],
      },
      NOW,
    );

    expect(settled).toEqual({
      ...record,
      status: 'rejected',
      reason: 'invalid_transition',
      current: { status: 'scheduled', version: 3 },
      allowed: ['in_progress', 'no_show', 'canceled'],
      decided_at: NOW,
    });
  });

  it('marks a move for a missing card rejected as not_found without current or allowed', () => {
    const settled = settleMove(aRecord(), { kind: 'rejected', reason: 'not_found' }, NOW);

    expect(settled).toMatchObject({ status: 'rejected', reason: 'not_found', decided_at: NOW });
    expect(settled).not.toHaveProperty('current');
    expect(settled).not.toHaveProperty('allowed');
  });

  it('leaves the pending record it was given unchanged', () => {
    const record = aRecord();
    const before = structuredClone(record);

    settleMove(record, { kind: 'conflict', current: { status: 'ready', version: 9 } }, NOW);

    expect(record).toEqual(before);
  });
});

describe('applyMoveToCard', () => {
  const decision = {
    kind: 'apply',
    from: 'in_progress',
    to: 'ready',
    readVersion: 4,
    newVersion: 5,
    rebased: false,
  } as const;

  it('puts the card in the new column at the new version, stamped with the move', () => {
    const card = aCard({
      status: 'in_progress',
      version: 4,
      status_version: 2,
      status_entered_at: { scheduled: CREATED, in_progress: SUBMITTED },
    });

    const moved = applyMoveToCard(card, decision, 'move-9', NOW);

    expect(moved).toEqual({
      ...card,
      status: 'ready',
      version: 5,
      status_version: 5,
      status_entered_at: { scheduled: CREATED, in_progress: SUBMITTED, ready: NOW },
      last_move_id: 'move-9',
      updated_at: NOW,
    });
  });

  it('overwrites the entry time of a column the card re-enters', () => {
    const card = aCard({
      status: 'ready',
      version: 6,
      status_entered_at: { scheduled: CREATED, in_progress: CREATED, ready: SUBMITTED },
    });

    const moved = applyMoveToCard(
      card,
      { kind: 'apply', from: 'ready', to: 'in_progress', readVersion: 6, newVersion: 7, rebased: false },
      'move-10',
      NOW,
    );

    expect(moved.status_entered_at).toEqual({ scheduled: CREATED, in_progress: NOW, ready: SUBMITTED });
  });

  it('leaves the card it was given unchanged', () => {
    const card = aCard({ status: 'in_progress', version: 4 });
    const before = structuredClone(card);

    applyMoveToCard(card, decision, 'move-9', NOW);

    expect(card).toEqual(before);
  });
});

describe('newMoveRecord', () => {
  it('records a pending move with the request fields and its request key', () => {
    const request = aMove({ to_status: 'ready', expected_version: 4, from_status: 'in_progress' });

    const record = newMoveRecord(request, SUBMITTED);

    expect(record).toEqual({
      move_id: request.move_id,
      appointment_id: 'appt-1',
      status: 'pending',
      from_status: 'in_progress',
      to_status: 'ready',
      expected_version: 4,
      submitted_at: SUBMITTED,
      request_key: 'appt-1|ready|4|in_progress',
    });
  });

  it('stores a missing from_status as null', () => {
    const record = newMoveRecord(aMove(), SUBMITTED);

    expect(record.from_status).toBeNull();
  });
});

describe('moveRequestKey', () => {
  it('joins appointment, target, version and origin', () => {
    expect(moveRequestKey(aMove({ from_status: 'scheduled' }))).toBe('appt-1|in_progress|3|scheduled');
  });

  it('leaves the origin empty when from_status is absent', () => {
    expect(moveRequestKey(aMove())).toBe('appt-1|in_progress|3|');
  });

  it('ignores the move_id, which is the idempotency key itself', () => {
    expect(moveRequestKey(aMove({ move_id: 'other' }))).toBe(moveRequestKey(aMove()));
  });

  it.each([
    ['appointment_id', { appointment_id: 'appt-2' }],
    ['to_status', { to_status: 'canceled' as Status }],
    ['expected_version', { expected_version: 4 }],
    ['from_status', { from_status: 'scheduled' as Status }],
  ])('differs when %s differs', (_field, overrides) => {
    expect(moveRequestKey(aMove(overrides))).not.toBe(moveRequestKey(aMove()));
  });
});

describe('presentMove', () => {
  it('hides the request key and keeps every other field', () => {
    const record = aRecord({
      status: 'applied',
      version: 4,
      noop: false,
      rebased: false,
      decided_at: NOW,
    });

    const view = presentMove(record);

    expect(view).not.toHaveProperty('request_key');
    const { request_key: _key, ...rest } = record;
    expect(view).toEqual(rest);
  });

  it('leaves the stored record its request key', () => {
    const record = aRecord();

    presentMove(record);

    expect(record.request_key).toBe('appt-1|in_progress|3|');
  });
});
