/**
 * Each card's history through the real handlers and DynamoDB Local: one entry per version, written
 * with the change, with who made it; newest first, a page at a time; and whole (versions 1..N, no
 * gap, nothing twice) under concurrent moves and edits, and when a write fails half-way (faults
 * injected at the SDK).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ApiClient } from '../../client/api-client';
import { injectFault, injectLostResponses } from '../support/fault-injection';
import { allHistory, startSignedApp, type SignedApp } from '../support/signed-clients';

const DAY = '2026-07-01';
let signed: SignedApp;
let customerId = '';
let vehicleId = '';

beforeAll(async () => {
  signed = await startSignedApp();
  const c = await signed.as.admin.createCustomer({ name: 'History Test' });
  customerId = c.body?.ok ? c.body.data.id : '';
  const v = await signed.as.admin.createVehicle({ customer_id: customerId, make: 'Ford', model: 'Ka' });
  vehicleId = v.body?.ok ? v.body.data.id : '';
});
afterAll(async () => {
  await signed.app.stop();
});

async function newCard(): Promise<string> {
  const res = await signed.as.admin.createAppointment({
    customer_id: customerId,
    vehicle_id: vehicleId,
    appt_start: `${DAY}T09:00:00Z`,
    appt_end: `${DAY}T10:00:00Z`,
    service_codes: ['OIL001'],
    notes: 'first',
  });
  if (!res.body?.ok) throw new Error(`create: ${res.text}`);
  return res.body.data.id;
}

/** A move submitted and long-polled until it is decided: its outcome. */
const decided = async (api: ApiClient, id: string, input: Parameters<ApiClient['moveAndWait']>[1]) =>
  (await api.moveAndWait(id, input)).move;

const versionOf = async (id: string) => {
  const res = await signed.as.viewer.getAppointment(id);
  return res.body?.ok ? res.body.data.version : -1;
};

/** The entries' versions, oldest first, and the card's version: they must be 1..version. */
async function expectWholeHistory(id: string) {
  const entries = await allHistory(signed.as.viewer, id);
  const versions = entries.map((e) => e.version);
  expect(versions).toEqual([...versions].sort((a, b) => b - a));
  const version = await versionOf(id);
  expect(versions.slice().reverse()).toEqual(Array.from({ length: version }, (_, i) => i + 1));
  return entries;
}

it('records created, edited and moved entries with who made each, newest first', async () => {
  const id = await newCard();
  const patched = await signed.as.staff.request('PATCH', `/api/admin/appointments/${id}`, {
    expected_version: 1,
    notes: 'second',
  });
  expect(patched.status).toBe(200);
  const move = await decided(signed.as.staff, id, {
    to_status: 'in_progress',
    expected_version: 2,
    from_status: 'scheduled',
  });
  expect(move).toMatchObject({ status: 'applied', version: 3 });

  const res = await signed.as.viewer.request<any>('GET', `/api/admin/appointments/${id}/history`);
  expect(res.status).toBe(200);
  const { entries, next_cursor, version } = res.body?.ok ? res.body.data : ({} as any);
  expect(version).toBe(3);
  expect(next_cursor).toBeNull();
  expect(entries).toEqual([
    {
      kind: 'moved',
      version: 3,
      at: expect.any(String),
      by: { role: 'staff', principal: 'LOCALSTAFF' },
      from: 'scheduled',
      to: 'in_progress',
      move_id: (move as any).move_id,
      rebased: false,
    },
    {
      kind: 'edited',
      version: 2,
      at: expect.any(String),
      by: { role: 'staff', principal: 'LOCALSTAFF' },
      changes: { notes: { old: 'first', new: 'second' } },
    },
    expect.objectContaining({
      kind: 'created',
      version: 1,
      by: { role: 'admin', principal: 'LOCALDEV' },
      status: 'scheduled',
      notes: 'first',
      service_codes: ['OIL001'],
    }),
  ]);
});

it('shows who submitted a move on GET /api/admin/moves/{id}', async () => {
  const id = await newCard();
  const submitted = await signed.as.staff.submitMove(id, { to_status: 'canceled', expected_version: 1 });
  const moveId = submitted.body?.ok ? submitted.body.data.move_id : '';
  const res = await signed.as.viewer.pollMove(moveId, 5000);
  expect(res.body).toMatchObject({
    ok: true,
    data: { status: 'applied', submitted_by: { role: 'staff', principal: 'LOCALSTAFF' } },
  });
});

it('pages through the entries with next_cursor, each version once', async () => {
  const id = await newCard();
  for (let v = 1; v <= 6; v++) {
    const res = await signed.as.admin.request('PATCH', `/api/admin/appointments/${id}`, {
      expected_version: v,
      notes: `note ${v}`,
    });
    expect(res.status).toBe(200);
  }
  const pages: number[][] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3';
    const res = await signed.as.viewer.request<any>('GET', `/api/admin/appointments/${id}/history${q}`);
    expect(res.status).toBe(200);
    const data = res.body?.ok ? res.body.data : { entries: [], next_cursor: null };
    pages.push(data.entries.map((e: { version: number }) => e.version));
    cursor = data.next_cursor;
  } while (cursor && pages.length < 10);
  expect(pages).toEqual([[7, 6, 5], [4, 3, 2], [1]]);
});

it.each([
  ['limit=0', 'limit'],
  ['limit=101', 'limit'],
  ['limit=ten', 'limit'],
  ['cursor=not-a-cursor', 'cursor'],
  ['cursor=' + Buffer.from('before:1').toString('base64url'), 'cursor'],
  ['page=2', 'page'],
])('answers 400 naming the field for ?%s', async (query, field) => {
  const id = await newCard();
  const res = await signed.as.viewer.request<any>('GET', `/api/admin/appointments/${id}/history?${query}`);
  expect(res.status).toBe(400);
  expect(res.body?.ok ? {} : res.body?.error.details).toHaveProperty(field);
});

it('answers 404 for a card that does not exist', async () => {
  const res = await signed.as.viewer.request<any>('GET', '/api/admin/appointments/no-such-card/history');
  expect(res.status).toBe(404);
  expect(res.body).toMatchObject({ ok: false, error: { code: 'not_found' } });
});

it('keeps versions 1..N with no gap and nothing twice under concurrent moves and edits', async () => {
  const id = await newCard();
  const columns = ['in_progress', 'scheduled'] as const;
  const mover = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const version = await versionOf(id);
      const to = columns[i % 2] as string;
      await decided(signed.as.staff, id, { to_status: to, expected_version: version });
    }
  };
  const editor = async (who: ApiClient, n: number) => {
    let done = 0;
    for (let attempt = 0; done < n && attempt < n * 10; attempt++) {
      const res = await who.request('PATCH', `/api/admin/appointments/${id}`, {
        expected_version: await versionOf(id),
        notes: `edit ${attempt}`,
      });
      if (res.status === 200) done += 1;
      else expect(res.status).toBe(409);
    }
  };
  await Promise.all([mover(8), mover(8), editor(signed.as.staff, 6), editor(signed.as.admin, 6)]);
  const entries = await expectWholeHistory(id);
  expect(entries.filter((e) => e.kind === 'edited')).toHaveLength(12);
  const moveIds = entries.filter((e) => e.kind === 'moved').map((e) => e.move_id);
  expect(new Set(moveIds).size).toBe(moveIds.length);
}, 90_000);

describe('a write that fails half-way', () => {
  it('leaves neither the edit nor its entry when the PATCH transaction is cancelled (fault injected at the SDK: TransactWriteItems cancelled)', async () => {
    const id = await newCard();
    const remove = injectFault(
      signed.app.container.doc,
      (cmd, input) => cmd === 'TransactWriteItemsCommand' && JSON.stringify(input).includes(id),
      () =>
        Object.assign(new Error('injected: transaction cancelled'), { name: 'TransactionCanceledException' }),
    );
    try {
      const res = await signed.as.admin.request('PATCH', `/api/admin/appointments/${id}`, {
        expected_version: 1,
        notes: 'never written',
      });
      expect(res.status).toBe(500);
    } finally {
      remove();
    }
    expect(await versionOf(id)).toBe(1);
    const entries = await expectWholeHistory(id);
    expect(entries.map((e) => e.kind)).toEqual(['created']);
  });

  it("writes one moved entry when the worker's transaction fails on its first try (fault injected at the SDK: TransactWriteItems throttled once)", async () => {
    const id = await newCard();
    let failures = 0;
    const remove = injectFault(
      signed.app.container.doc,
      (cmd, input) =>
        cmd === 'TransactWriteItemsCommand' && JSON.stringify(input).includes(id) && failures++ < 1,
      () => Object.assign(new Error('injected: throttled'), { name: 'ThrottlingException' }),
    );
    try {
      const outcome = await decided(signed.as.staff, id, {
        to_status: 'in_progress',
        expected_version: 1,
      });
      expect(outcome).toMatchObject({ status: 'applied', version: 2 });
    } finally {
      remove();
    }
    expect(failures).toBeGreaterThanOrEqual(1);
    const entries = await expectWholeHistory(id);
    expect(entries.map((e) => e.kind)).toEqual(['moved', 'created']);
  });

  it("decides again, in the same delivery, when the worker's transaction meets a concurrent write of the card (fault injected at the SDK: TransactWriteItems cancelled with TransactionConflict twice)", async () => {
    const id = await newCard();
    let conflicts = 0;
    const remove = injectFault(
      signed.app.container.doc,
      (cmd, input) =>
        cmd === 'TransactWriteItemsCommand' &&
        JSON.stringify(input).includes('"moved"') &&
        JSON.stringify(input).includes(id) &&
        conflicts++ < 2,
      () =>
        new TransactionCanceledException({
          message: 'injected: transaction conflict',
          $metadata: {},
          CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }, { Code: 'None' }],
        }),
    );
    let outcome;
    try {
      outcome = await decided(signed.as.staff, id, { to_status: 'in_progress', expected_version: 1 });
    } finally {
      remove();
    }
    expect(outcome).toMatchObject({ status: 'applied', version: 2 });
    expect(conflicts).toBe(3);
    // Decided by the first delivery: two failed tries would fail the record (one in-process retry),
    // and its redelivery could come only after the visibility timeout, 2 s.
    const o = outcome as { submitted_at: string; decided_at: string };
    expect(Date.parse(o.decided_at) - Date.parse(o.submitted_at)).toBeLessThan(2000);
    const entries = await expectWholeHistory(id);
    expect(entries.map((e) => e.kind)).toEqual(['moved', 'created']);
  });

  it("writes the moved entry once when the worker's committed transaction loses its response and the move is redelivered (fault injected at the SDK: response lost after TransactWriteItems)", async () => {
    const id = await newCard();
    let lose = true;
    const fault = injectLostResponses(
      signed.app.container.doc,
      (cmd, input) =>
        cmd === 'TransactWriteItemsCommand' &&
        JSON.stringify(input).includes('"moved"') &&
        JSON.stringify(input).includes(id),
      () => {
        const now = lose;
        lose = false;
        return now;
      },
    );
    try {
      const outcome = await decided(signed.as.staff, id, {
        to_status: 'in_progress',
        expected_version: 1,
      });
      expect(outcome).toMatchObject({ status: 'applied', version: 2 });
    } finally {
      fault.remove();
    }
    expect(fault.lost()).toBe(1);
    const entries = await expectWholeHistory(id);
    expect(entries.map((e) => e.kind)).toEqual(['moved', 'created']);
  });
});
