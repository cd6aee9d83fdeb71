/**
 * `npm run smoke`: an authenticated end-to-end check of a deployment (or of `npm start`). Walks the
 * main path once: healthz, a customer, a vehicle, an appointment read back and found on the board,
 * stats, and one move through the queue and the worker. One line per check with its time; stops at
 * the first failure with the reason and a non-zero exit.
 */
import { randomUUID } from 'node:crypto';
import { addDays, localInstant } from '../domain/days';
import { ApiClient, describeResponse, isLoopback, type ApiResponse } from '../client/api-client';
import { keyForRole } from '../client/local-keys';
import {
  COMMON_HELP,
  DIRECT_URL,
  PROXY_URL,
  clientFor,
  dayOption,
  intOption,
  main,
  parseCli,
  processIo,
  runScript,
  stringOption,
  type CommonOptions,
  type ScriptIo,
} from './lib/cli';

/** Far enough ahead that smoke cards stay off the board the shop works from. */
const DAYS_AHEAD = 180;

const HELP = `Usage: npm run smoke [-- options]

Checks a running API end to end: healthz; creates a customer, a vehicle and an appointment; reads
the appointment back; finds it on the board; reads stats; checks that a viewer's move is refused
(403) and changes nothing; moves it scheduled -> in_progress and long-polls the move until applied;
reads version 2 back. Everything but the viewer check signs as admin. Prints one line per check with its time.
Exit 0 when all pass, 1 at the first failure (with the reason), 2 on bad arguments.

The data it creates is real: a customer named "Smoke test <run id>" and one appointment at 07:00
local time (the shop's time zone, as the board answers it) on --date (default: ${DAYS_AHEAD} days from today), away from the working board.

Options:
  --date YYYY-MM-DD  the day of the smoke appointment
  --timeout-ms N     how long to wait for the move to be applied (default 15000)
  --viewer-url URL   a signing proxy that signs as a viewer (npm run proxy -- --role viewer), for
                     the viewer check. Without it: against npm start, the gateway (${DIRECT_URL})
                     signed with the local viewer key LOCALVIEW; elsewhere the check is skipped

${COMMON_HELP}`;

class CheckFailed extends Error {}

function need(condition: unknown, reason: string): asserts condition {
  if (!condition) throw new CheckFailed(reason);
}

/** The response's data if the status is the expected one; otherwise the check fails with the answer. */
function data<T>(res: ApiResponse<T>, status: number): T {
  need(res.status === status && res.body?.ok, `expected ${status}, got ${describeResponse(res)}`);
  return (res.body as { ok: true; data: T }).data;
}

export async function run(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript('smoke', io, async () => {
    const { values, common, help } = parseCli(
      argv,
      { date: { type: 'string' }, 'timeout-ms': { type: 'string' }, 'viewer-url': { type: 'string' } },
      io.env,
    );
    if (help) {
      io.out(HELP);
      return 0;
    }
    const day = dayOption('date', values.date, addDays(new Date().toISOString().slice(0, 10), DAYS_AHEAD));
    const timeoutMs = intOption('timeout-ms', values['timeout-ms'], 15_000, { min: 100, max: 300_000 });
    const { client, description } = clientFor(common, io.env);
    io.out(`smoke: ${description}`);
    const viewer = viewerClient(common, stringOption(values, 'viewer-url'));
    return smoke(client, viewer, day, timeoutMs, io);
  });
}

/**
 * A client that acts as a viewer: the proxy given, or locally the viewer key signing against the
 * gateway; undefined where no viewer credentials are known (a function URL without --viewer-url).
 */
function viewerClient(common: CommonOptions, viewerUrl: string | undefined): ApiClient | undefined {
  if (viewerUrl) return new ApiClient({ baseUrl: viewerUrl });
  const key = keyForRole('viewer');
  if (!key) return undefined;
  const target = common.sign ? common.baseUrl : common.baseUrl === PROXY_URL ? DIRECT_URL : undefined;
  if (!target || !isLoopback(target)) return undefined;
  return new ApiClient({
    baseUrl: target,
    sign: {
      region: common.region,
      service: 'lambda',
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
    },
  });
}

async function smoke(
  client: ApiClient,
  viewer: ApiClient | undefined,
  day: string,
  timeoutMs: number,
  io: ScriptIo,
): Promise<number> {
  const runId = randomUUID().slice(0, 8);
  let passed = 0;
  const check = async (name: string, body: () => Promise<{ ms: number; note?: string }>) => {
    const started = performance.now();
    try {
      const { ms, note } = await body();
      passed += 1;
      io.out(`ok    ${name.padEnd(22)} ${String(ms).padStart(5)} ms${note ? `  ${note}` : ''}`);
    } catch (err) {
      const ms = Math.round(performance.now() - started);
      io.out(`FAIL  ${name.padEnd(22)} ${String(ms).padStart(5)} ms  ${(err as Error).message}`);
      throw err;
    }
  };

  const customerId = `smoke-${runId}`;
  const vehicleId = `smoke-${runId}-v`;
  // 07:00 local on `day` in the shop's time zone, known once the board has said which it is.
  let start = '';
  let appointmentId = '';
  try {
    await check('healthz', async () => {
      const res = await client.health();
      const health = data(res, 200);
      need(health.status === 'ok', `status is ${health.status}`);
      return {
        ms: res.ms,
        note: Object.entries(health.checks)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      };
    });
    await check('create customer', async () => {
      const res = await client.createCustomer({ id: customerId, name: `Smoke test ${runId}` });
      data(res, 201);
      return { ms: res.ms, note: customerId };
    });
    await check('create vehicle', async () => {
      const res = await client.createVehicle({
        id: vehicleId,
        customer_id: customerId,
        make: 'Smoke',
        model: 'Test',
        year: 2020,
      });
      data(res, 201);
      return { ms: res.ms, note: vehicleId };
    });
    await check('create appointment', async () => {
      // At a local hour of the day, so the board of `day` shows it whatever SHOP_TIMEZONE is.
      const zone = data(await client.board({ date: day }), 200).time_zone;
      start = localInstant(day, 7 * 60, zone);
      const res = await client.createAppointment({
        customer_id: customerId,
        vehicle_id: vehicleId,
        appt_start: start,
        appt_end: localInstant(day, 7 * 60 + 30, zone),
        service_codes: ['INSP001'],
        notes: `smoke test ${runId}`,
      });
      const appt = data(res, 201);
      need(
        appt.status === 'scheduled' && appt.version === 1,
        `new appointment is ${appt.status} v${appt.version}`,
      );
      appointmentId = appt.id;
      return { ms: res.ms, note: appt.id };
    });
    await check('read appointment', async () => {
      const res = await client.getAppointment(appointmentId);
      const appt = data(res, 200);
      need(
        appt.id === appointmentId && appt.customer_id === customerId && appt.appt_start === start,
        `read back ${JSON.stringify({ id: appt.id, customer_id: appt.customer_id, appt_start: appt.appt_start })}`,
      );
      return { ms: res.ms };
    });
    await check('board contains it', async () => {
      const res = await client.board({ date: day });
      const board = data(res, 200);
      const item = board.columns.scheduled.items.find((i) => i.id === appointmentId);
      need(item, `appointment ${appointmentId} is not in the scheduled column of ${day}`);
      need(res.headers.etag, 'the board has no ETag');
      const again = await client.board({ date: day }, res.headers.etag);
      need(again.status === 304, `a repeated read with its ETag got ${again.status}, not 304`);
      return { ms: res.ms, note: `${board.columns.scheduled.count} scheduled, ETag revalidates` };
    });
    await check('stats', async () => {
      const res = await client.stats({ date: day });
      const stats = data(res, 200);
      need(stats.total >= 1 && stats.by_status.scheduled >= 1, `stats of ${day} count ${stats.total} cards`);
      return { ms: res.ms, note: `${stats.total} on ${day}` };
    });
    await check('viewer may not move', async () => {
      if (!viewer) return { ms: 0, note: 'skipped: no viewer credentials (--viewer-url)' };
      const res = await viewer.submitMove(appointmentId, {
        to_status: 'in_progress',
        expected_version: 1,
        from_status: 'scheduled',
      });
      need(
        res.status === 403 && res.body?.ok === false && res.body.error.code === 'forbidden',
        `expected 403 forbidden, got ${describeResponse(res)}`,
      );
      const after = data(await client.getAppointment(appointmentId), 200);
      need(after.version === 1, `the refused move changed the card to v${after.version}`);
      return { ms: res.ms, note: res.body.error.message };
    });
    await check('move to in_progress', async () => {
      const { submit, move, ms } = await client.moveAndWait(
        appointmentId,
        { to_status: 'in_progress', expected_version: 1, from_status: 'scheduled' },
        timeoutMs,
      );
      need(submit.status === 202, `submit: expected 202, got ${describeResponse(submit)}`);
      need(move, `poll: no answer for the move`);
      need(move.status !== 'pending', `still pending after ${timeoutMs} ms (is the worker running?)`);
      need(move.status === 'applied' && move.version === 2, `the move ended ${JSON.stringify(move)}`);
      return { ms, note: `${move.move_id} applied` };
    });
    await check('read version 2', async () => {
      const res = await client.getAppointment(appointmentId);
      const appt = data(res, 200);
      need(
        appt.version === 2 && appt.status === 'in_progress',
        `the appointment is ${appt.status} v${appt.version}, not in_progress v2`,
      );
      return { ms: res.ms };
    });
  } catch (err) {
    io.err(`smoke: failed after ${passed} passing check(s): ${(err as Error).message}`);
    return 1;
  }
  io.out(`smoke: all ${passed} checks passed`);
  return 0;
}

if (require.main === module) main(run);
