/**
 * `npm run chaos`, small: a real stack as a child process, killed mid-load with SIGKILL and
 * started again on its data, while clients keep moving cards; the tool's own verdict and table
 * are checked, and that it leaves no process and no temporary data behind.
 */
import { existsSync } from 'node:fs';
import { run } from '../../scripts/chaos';
import type { ScriptIo } from '../../scripts/lib/cli';
import { groupAlive } from '../../scripts/lib/child-stack';

function captureIo() {
  const lines: string[] = [];
  const io: ScriptIo = { out: (line) => lines.push(line), err: (line) => lines.push(line), env: {} };
  return { io, text: () => lines.join('\n') };
}

/** A row of the printed table, `| moves accepted | 40 |` → '40'. */
function figure(text: string, label: string): string | undefined {
  const escaped = label.replace(/[()]/g, '\\$&');
  return new RegExp(`^\\| ${escaped} \\| (.+) \\|$`, 'm').exec(text)?.[1];
}

describe('npm run chaos', () => {
  it('decides every accepted move and keeps every chain whole (fault injected by SIGKILL of the stack process group mid-load)', async () => {
    const { io, text } = captureIo();

    const code = await run(['--cards', '4', '--moves', '40', '--concurrency', '4'], io);

    const out = text();
    expect({ code, out }).toMatchObject({ code: 0 });
    expect(out).toMatch(/SIGKILL to the stack's process group \d+ after \d+ moves submitted/);
    expect(out).toMatch(/stack \(process group \d+\) back on http:\/\/127\.0\.0\.1:\d+ after/);
    expect(figure(out, 'moves submitted')).toBe('40');
    expect(figure(out, 'moves accepted')).toBe('40');
    expect(figure(out, 'moves not accepted')).toBe('0');
    expect(figure(out, 'decided')).toBe('40');
    expect(figure(out, 'still pending')).toBe('0');
    expect(figure(out, 'cards checked')).toBe('4');
    expect(figure(out, 'cards whose version chain broke')).toBe('0');
    const outcomes = ['applied', 'applied (noop)', 'conflict', 'rejected', 'failed'].map((label) =>
      Number(figure(out, label)),
    );
    expect(outcomes.reduce((a, b) => a + b, 0)).toBe(40);
    expect(Number(figure(out, 'applied'))).toBeGreaterThan(0);
    expect(figure(out, 'restart to all decided')).toMatch(/^\d+\.\d s$/);
    expect(figure(out, 'restart to the in-flight ones decided')).toMatch(/^(\d+\.\d s|—)$/);

    const [, pgid, dataDir] =
      /process group (\d+)\) healthy on \S+ after [\d.]+ s, data in (\S+)/.exec(out) ?? [];
    const [, restartedPgid] = /process group (\d+)\) back on/.exec(out) ?? [];
    expect([groupAlive(Number(pgid)), groupAlive(Number(restartedPgid))]).toEqual([false, false]);
    expect(existsSync(dataDir as string)).toBe(false);
  }, 180_000);

  it('prints its help and exits 0', async () => {
    const { io, text } = captureIo();

    await expect(run(['--help'], io)).resolves.toBe(0);
    expect(text()).toContain('Usage: npm run chaos');
    expect(text()).toContain('--kill-after-ms');
  });

  it.each([
    [['--moves', '0'], '--moves must be an integer from 1 to 100000, got "0"'],
    [['--concurrency', 'ten'], '--concurrency must be an integer'],
    [['--data-dir', ''], '--data-dir must not be empty'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 naming the option for %j', async (argv, message) => {
    const { io, text } = captureIo();

    await expect(run(argv, io)).resolves.toBe(2);
    expect(text()).toContain(message);
  });
});
