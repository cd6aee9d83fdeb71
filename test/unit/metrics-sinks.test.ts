/** METRICS_SINK's local targets, through aws-embedded-metrics' public API: a file of EMF lines, or nothing. */
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRICS_NAMESPACE, MoveMetrics, metricsLoggerFactory } from '../../infra/metrics';

const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
const log = { warn: (msg: string, fields?: Record<string, unknown>) => warnings.push({ msg, fields }) };

let dir: string;
beforeEach(async () => {
  warnings.length = 0;
  dir = await mkdtemp(join(tmpdir(), 'metrics-sinks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const outcome = {
  outcome: 'conflict' as const,
  transition: 'scheduled->canceled',
  latencyMs: 12,
  moveId: 'mv-1',
};

describe('the file sink', () => {
  it('has every EMF document on disk, one a line, when the flush resolves', async () => {
    const file = join(dir, 'not-yet', 'metrics.log');
    const metrics = new MoveMetrics(metricsLoggerFactory({ sink: 'file', file, inLambda: false }, log), log);

    await metrics.recordOutcome(outcome);

    const docs = (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const names = docs.map((d) => d._aws.CloudWatchMetrics[0].Metrics[0].Name).sort();
    expect(names).toEqual(['move_latency_ms', 'moves_total', 'occ_conflicts_total']);
    for (const doc of docs) {
      expect(doc.move_id).toBe('mv-1');
      expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
    }
    expect(docs.find((d) => d.outcome === 'conflict')._aws.CloudWatchMetrics[0].Dimensions).toEqual([
      ['outcome'],
    ]);
    expect(warnings).toEqual([]);
  });

  it('reports a failed append and does not throw, then appends again once it can', async () => {
    // A directory where the file should be: every append fails until it is gone.
    const file = join(dir, 'metrics.log');
    await mkdir(file);
    const metrics = new MoveMetrics(metricsLoggerFactory({ sink: 'file', file, inLambda: false }, log), log);

    await expect(metrics.recordFailures('undeliverable', 2)).resolves.toBeUndefined();
    expect(warnings.map((w) => w.msg)).toEqual(['metrics file append failed']);

    await rm(file, { recursive: true });
    await metrics.recordFailures('undeliverable', 3);
    const doc = JSON.parse((await readFile(file, 'utf8')).trim());
    expect(doc).toMatchObject({ reason: 'undeliverable', moves_failed_total: 3 });
  });
});

describe('the off sink', () => {
  it('writes nothing anywhere', async () => {
    const file = join(dir, 'metrics.log');
    const metrics = new MoveMetrics(metricsLoggerFactory({ sink: 'off', file, inLambda: false }, log), log);

    await metrics.recordOutcome(outcome);

    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(warnings).toEqual([]);
  });
});
