/** What a bench run cost the server per move (loadtest/bench/server-cost.ts), from two samples. */
import type { ServerSample } from '../../loadtest/bench/server';
import { serverCost } from '../../loadtest/bench/server-cost';

function aSample(overrides: Partial<ServerSample> = {}): ServerSample {
  return {
    type: 'sample',
    id: 1,
    calls: {},
    nodeCpuMs: 0,
    javaCpuMs: 0,
    loopDelay: { p50: 1, p99: 2, max: 3 },
    ...overrides,
  };
}

const NO_IDLE = { java: 0, node: 0 };

describe('serverCost', () => {
  it('counts only the calls made between the two samples, per move', () => {
    // Command names as the middleware sees them: the low-level clients' (GetItemCommand, not GetCommand).
    const before = aSample({ calls: { GetItemCommand: 50, ReceiveMessageCommand: 7 } });
    const after = aSample({
      calls: {
        GetItemCommand: 350,
        TransactWriteItemsCommand: 100,
        ReceiveMessageCommand: 57,
        SendMessageCommand: 100,
      },
    });

    const cost = serverCost(before, after, 100, 10, NO_IDLE, 2);

    expect(cost.calls).toEqual({
      GetItemCommand: 300,
      TransactWriteItemsCommand: 100,
      ReceiveMessageCommand: 50,
      SendMessageCommand: 100,
    });
    expect(cost.dynamoCallsPerMove).toBe(4);
    expect(cost.sqsCallsPerMove).toBe(1.5);
  });

  it('counts every single-item Get as a poll read (the submit is a transaction)', () => {
    const after = aSample({
      calls: { GetItemCommand: 120, BatchGetItemCommand: 100, TransactWriteItemsCommand: 200 },
    });

    const cost = serverCost(aSample(), after, 100, 10, NO_IDLE, 2);

    expect(cost.pollReadsPerMove).toBe(1.2);
  });

  it('keeps failed calls (counted again by error) out of the calls per move', () => {
    const after = aSample({
      calls: {
        TransactWriteItemsCommand: 200,
        'TransactWriteItemsCommand!None,TransactionConflict': 10,
        GetItemCommand: 100,
      },
    });

    const cost = serverCost(aSample(), after, 100, 10, NO_IDLE, 2);

    expect(cost.dynamoCallsPerMove).toBe(3);
    expect(cost.calls['TransactWriteItemsCommand!None,TransactionConflict']).toBe(10);
  });

  it('charges each move its share of the CPU beyond the idle burn, never below zero', () => {
    const before = aSample({ nodeCpuMs: 1000, javaCpuMs: 5000 });
    const after = aSample({ nodeCpuMs: 1500, javaCpuMs: 5100 });

    // 10 s of idle burn: node 20 ms/s (200 ms), java 50 ms/s (500 ms, more than it used).
    const cost = serverCost(before, after, 50, 10, { java: 50, node: 20 }, 2);

    expect(cost.nodeCpuMsPerMove).toBe(6);
    expect(cost.javaCpuMsPerMove).toBe(0);
  });

  it('gives the share of the cores used over the run, idle burn included', () => {
    const after = aSample({ nodeCpuMs: 3000, javaCpuMs: 5000 });

    const cost = serverCost(aSample(), after, 100, 10, { java: 100, node: 100 }, 4);

    expect(cost.cpuShare).toBe(0.2);
  });

  it('reports per-move figures as NaN when no move was submitted', () => {
    const cost = serverCost(aSample(), aSample({ calls: { GetItemCommand: 3 } }), 0, 10, NO_IDLE, 2);

    expect(cost.dynamoCallsPerMove).toBeNaN();
    expect(cost.nodeCpuMsPerMove).toBeNaN();
  });

  it('takes the event-loop p99 of the later sample', () => {
    const cost = serverCost(
      aSample(),
      aSample({ loopDelay: { p50: 1, p99: 42, max: 60 } }),
      1,
      1,
      NO_IDLE,
      2,
    );

    expect(cost.loopDelayP99).toBe(42);
  });
});
