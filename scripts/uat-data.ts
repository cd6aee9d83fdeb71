/**
 * `npm run uat-data`: a realistic non-production dataset, made through the API and the real move
 * pipeline: technicians, customers with one or two cars, appointments over the coming days in
 * business hours, most given to a technician (some left unassigned), and cards moved (submit + long-poll) into every column in plausible proportions: earlier cards are
 * further along. The same --seed and start day give the same data; a second run finds everything in
 * place (409 on customers and vehicles, the board for appointments, each card's status for moves)
 * and changes nothing. The plan is scripts/lib/uat-plan.ts (pure), the carrying out of it
 * scripts/lib/uat-executor.ts; this file is the command line and the summary.
 */
import { dayOf } from '../domain/days';
import { STATUSES } from '../domain/status';
import { ApiUnreachableError, expectStatus } from '../client/api-client';
import {
  COMMON_HELP,
  clientFor,
  dayOption,
  intOption,
  main,
  parseCli,
  processIo,
  runScript,
  type ScriptIo,
} from './lib/cli';
import { executeUatPlan, type Outcome, type Tally } from './lib/uat-executor';
import { planUatData } from './lib/uat-plan';

const HELP = `Usage: npm run uat-data [-- options]

Creates a realistic dataset for a non-production stage through the API: 3 technicians, customers
with 1-2 vehicles, appointments over --days days from today (08:00-21:00 in the shop's time zone,
which the API's board says, 1-3 services each, three in four given to a technician, the rest
unassigned), and real
moves that bring cards into every status (scheduled, in_progress, ready, completed, no_show,
canceled). Deterministic for a given --seed and start day; ids look like uat-<seed>-c<i> (and
uat-<seed>-t<i> for technicians). Safe to run twice: existing technicians, customers, vehicles and
appointments are skipped, a card with a technician keeps it, and no move is applied again.
It creates customers, vehicles and appointments, so it must act as an admin: the proxy of npm start
signs as LOCALDEV (admin) by default, --sign against 127.0.0.1 uses LOCALDEV too, and on AWS assume
the admin caller role (docs/deploy.md). The stage's WRITE_POLICY must be open (prod is moves-only).
Progress goes to stderr. Exit 0 when the data is complete, 1 when something was refused, 2 when it
could not run.

Options:
  --customers N     how many customers (default 20)
  --days D          over how many days, starting with --start (default 5)
  --seed S          seed of the generator, a whole number (default 1)
  --appointments A  how many appointments (default: twice the customers, at least 6)
  --start DAY       first day, YYYY-MM-DD (default: today in the shop's time zone)
  --concurrency C   requests in flight (default 8)

${COMMON_HELP}`;

export async function run(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript('uat-data', io, async () => {
    const { values, common, help } = parseCli(
      argv,
      {
        customers: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        appointments: { type: 'string' },
        start: { type: 'string' },
        concurrency: { type: 'string' },
      },
      io.env,
    );
    if (help) {
      io.out(HELP);
      return 0;
    }
    const customers = intOption('customers', values.customers, 20, { min: 1, max: 10_000 });
    const days = intOption('days', values.days, 5, { min: 1, max: 366 });
    const seed = intOption('seed', values.seed, 1, { min: 0, max: 2 ** 32 - 1 });
    const appointments = intOption('appointments', values.appointments, Math.max(6, customers * 2), {
      min: 0,
      max: 100_000,
    });
    const startOption = values.start === undefined ? undefined : dayOption('start', values.start, '');
    const concurrency = intOption('concurrency', values.concurrency, 8, { min: 1, max: 64 });
    const { client, description } = clientFor(common, io.env);

    let out: Outcome;
    let start: string;
    try {
      // The shop's time zone, as the API answers it: the plan books local hours of its local days.
      const utcToday = new Date().toISOString().slice(0, 10);
      const { time_zone: timeZone } = expectStatus(
        'board (for the time zone)',
        await client.board({ from: utcToday, to: utcToday }),
        200,
      );
      start = startOption ?? dayOf(Date.now(), timeZone);
      io.out(
        `uat-data: seed ${seed}, ${customers} customers, ${appointments} appointments over ${days} day(s) from ${start} (${timeZone}); ${description}`,
      );
      const catalog = expectStatus('service catalog', await client.listServices(), 200);
      const plan = planUatData({ seed, customers, days, appointments, start, catalog, timeZone });
      out = await executeUatPlan(client, plan, { seed, start, days, concurrency }, io);
    } catch (err) {
      io.err(`uat-data: stopped: ${(err as Error).message}`);
      return err instanceof ApiUnreachableError ? 2 : 1;
    }

    const tally = (t: Tally) => `${t.created} created, ${t.existing} already there`;
    io.out(`technicians   ${tally(out.technicians)}`);
    io.out(`customers     ${tally(out.customers)}`);
    io.out(`vehicles      ${tally(out.vehicles)}`);
    io.out(`appointments  ${tally(out.appointments)}`);
    io.out(`assigned      ${out.assigned} card(s) given their technician`);
    io.out(
      `moves         ${out.moves.applied} applied, ${out.moves.alreadyDone} card(s) already in place, ${out.moves.leftAlone} moved by someone else and left alone`,
    );
    io.out(`statuses      ${STATUSES.map((s) => `${s} ${out.statuses[s]}`).join(', ')}`);
    for (const failure of out.failures) io.err(`uat-data: failed: ${failure}`);
    io.out(
      `uat-data: ${out.failures.length === 0 ? 'done' : `${out.failures.length} failure(s), see stderr`}`,
    );
    return out.failures.length === 0 ? 0 : 1;
  });
}

if (require.main === module) main(run);
