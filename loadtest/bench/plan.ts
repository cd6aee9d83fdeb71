/**
 * What one bench run measures and how long: the sizes of every run, from the CLI's options. Pure.
 * --quick shrinks the runs and the data set to a smoke test of the bench (its figures are rough);
 * --reads-only leaves out the move runs.
 */

export interface Plan {
  quick: boolean;
  /** Only the floor and the board and stats reads (no move runs): a check that the reads run. */
  readsOnly: boolean;
  write: boolean;
  pollers: number;
  floorN: number;
  rates: Array<{ rate: number; seconds: number }>;
  stepRates: number[];
  stepSeconds: number;
  maxE2eP95Ms: number;
  contention: { cards: number[]; staff: number; seconds: number; thinkMs: number };
  boardPerDay: number[];
  statsDays: number;
  statsPerDay: number;
  readN: { board: number; stats7: number; stats31: number; stats366: number };
  /** Cold stats requests per range (each after dropping the range's stored days). */
  statsColdN: number;
}

export function plan(quick: boolean, write: boolean, pollers: number, readsOnly = false): Plan {
  return {
    quick,
    readsOnly,
    write,
    pollers,
    floorN: quick ? 50 : 300,
    rates: quick
      ? [
          { rate: 1, seconds: 5 },
          { rate: 10, seconds: 5 },
          { rate: 50, seconds: 5 },
        ]
      : [
          { rate: 1, seconds: 30 },
          { rate: 10, seconds: 20 },
          { rate: 50, seconds: 20 },
        ],
    stepRates: quick ? [20, 30, 75] : [20, 30, 40, 60, 75, 100, 150, 200, 300, 400],
    stepSeconds: quick ? 5 : 10,
    maxE2eP95Ms: 1000,
    contention: { cards: [5, 50, 200], staff: 20, seconds: quick ? 5 : 15, thinkMs: 300 },
    boardPerDay: [50, 200, 1000],
    statsDays: quick ? 40 : 366,
    statsPerDay: 200,
    readN: quick
      ? { board: 10, stats7: 10, stats31: 10, stats366: 3 }
      : { board: 40, stats7: 40, stats31: 30, stats366: 10 },
    statsColdN: quick ? 1 : 3,
  };
}
