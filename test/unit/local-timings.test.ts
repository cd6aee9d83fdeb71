/** The local stack's timings: AWS's ratios to the visibility timeout, explicit values, and AWS's rules. */
import { ConfigError } from '../../infra/config';
import { loadLocalConfig } from '../../local/local-config';
import { deriveLocalTimings } from '../../local/local-timings';

describe('deriveLocalTimings', () => {
  it("gives AWS's settings for a 90 s visibility timeout", () => {
    expect(deriveLocalTimings({ VISIBILITY_TIMEOUT_SECONDS: 90 })).toEqual({
      VISIBILITY_TIMEOUT_SECONDS: 90,
      WORKER_TIMEOUT_SECONDS: 15,
      SWEEP_AFTER_SECONDS: 60,
      SWEEP_INTERVAL_MS: 60_000,
      SWEEP_GIVE_UP_SECONDS: 900,
      MAX_RECEIVE_COUNT: 5,
    });
  });

  it('keeps the ratios for the local default of 30 s, and a fractional worker timeout for 2 s', () => {
    expect(deriveLocalTimings({ VISIBILITY_TIMEOUT_SECONDS: 30 })).toMatchObject({
      WORKER_TIMEOUT_SECONDS: 5,
      SWEEP_AFTER_SECONDS: 20,
      SWEEP_INTERVAL_MS: 20_000,
      SWEEP_GIVE_UP_SECONDS: 300,
    });
    expect(deriveLocalTimings({ VISIBILITY_TIMEOUT_SECONDS: 2 }).WORKER_TIMEOUT_SECONDS).toBeCloseTo(1 / 3);
  });

  it('never derives a SWEEP_AFTER_SECONDS under 1', () => {
    expect(deriveLocalTimings({ VISIBILITY_TIMEOUT_SECONDS: 1 }).SWEEP_AFTER_SECONDS).toBe(1);
  });

  it('lets explicit values win over the derived ones', () => {
    const explicit = {
      VISIBILITY_TIMEOUT_SECONDS: 90,
      WORKER_TIMEOUT_SECONDS: 0.5,
      SWEEP_AFTER_SECONDS: 7,
      SWEEP_INTERVAL_MS: 1234,
      SWEEP_GIVE_UP_SECONDS: 2000,
      MAX_RECEIVE_COUNT: 3,
    };

    expect(deriveLocalTimings(explicit)).toEqual(explicit);
  });

  it('refuses a worker timeout over the visibility timeout, naming both variables', () => {
    const derive = () => deriveLocalTimings({ VISIBILITY_TIMEOUT_SECONDS: 10, WORKER_TIMEOUT_SECONDS: 11 });

    expect(derive).toThrow(ConfigError);
    expect(derive).toThrow(/WORKER_TIMEOUT_SECONDS \(11\) must not exceed VISIBILITY_TIMEOUT_SECONDS \(10\)/);
  });

  it('accepts a worker timeout equal to the visibility timeout', () => {
    expect(
      deriveLocalTimings({ VISIBILITY_TIMEOUT_SECONDS: 10, WORKER_TIMEOUT_SECONDS: 10 })
        .WORKER_TIMEOUT_SECONDS,
    ).toBe(10);
  });

  it.each([
    ['an explicit give-up at the bound', { SWEEP_GIVE_UP_SECONDS: 150 }],
    ['more receives than the default give-up allows', { MAX_RECEIVE_COUNT: 10 }],
  ])(
    'refuses a give-up the worker may still be deciding within (%s), naming the variables',
    (_case, values) => {
      const derive = () => deriveLocalTimings({ VISIBILITY_TIMEOUT_SECONDS: 30, ...values });

      expect(derive).toThrow(ConfigError);
      expect(derive).toThrow(
        /SWEEP_GIVE_UP_SECONDS \(\d+\) must exceed MAX_RECEIVE_COUNT × VISIBILITY_TIMEOUT_SECONDS/,
      );
    },
  );

  it('reports both broken rules at once', () => {
    const problems = (() => {
      try {
        deriveLocalTimings({
          VISIBILITY_TIMEOUT_SECONDS: 30,
          WORKER_TIMEOUT_SECONDS: 31,
          SWEEP_GIVE_UP_SECONDS: 60,
        });
        return undefined;
      } catch (err) {
        return err instanceof ConfigError ? err.problems : err;
      }
    })();

    expect(Object.keys(problems ?? {}).sort()).toEqual(['SWEEP_GIVE_UP_SECONDS', 'WORKER_TIMEOUT_SECONDS']);
  });
});

describe('loadLocalConfig', () => {
  it('derives every timing from VISIBILITY_TIMEOUT_SECONDS when only it is set', () => {
    expect(loadLocalConfig({ VISIBILITY_TIMEOUT_SECONDS: '90' })).toMatchObject({
      WORKER_TIMEOUT_SECONDS: 15,
      SWEEP_AFTER_SECONDS: 60,
      SWEEP_INTERVAL_MS: 60_000,
      SWEEP_GIVE_UP_SECONDS: 900,
      MAX_RECEIVE_COUNT: 5,
    });
  });

  it('accepts the fast test setting VISIBILITY_TIMEOUT_SECONDS=2 SWEEP_AFTER_SECONDS=5 SWEEP_INTERVAL_MS=1000', () => {
    expect(
      loadLocalConfig({
        VISIBILITY_TIMEOUT_SECONDS: '2',
        SWEEP_AFTER_SECONDS: '5',
        SWEEP_INTERVAL_MS: '1000',
      }),
    ).toMatchObject({ VISIBILITY_TIMEOUT_SECONDS: 2, SWEEP_AFTER_SECONDS: 5, SWEEP_INTERVAL_MS: 1000 });
  });

  it('reads a decimal WORKER_TIMEOUT_SECONDS', () => {
    expect(loadLocalConfig({ WORKER_TIMEOUT_SECONDS: '0.25' }).WORKER_TIMEOUT_SECONDS).toBe(0.25);
  });

  it('stops on a worker timeout over the visibility timeout, naming both variables', () => {
    expect(() => loadLocalConfig({ VISIBILITY_TIMEOUT_SECONDS: '30', WORKER_TIMEOUT_SECONDS: '45' })).toThrow(
      /WORKER_TIMEOUT_SECONDS .*VISIBILITY_TIMEOUT_SECONDS/,
    );
  });

  it.each([
    ['SWEEP_AFTER_SECONDS', '0'],
    ['MAX_RECEIVE_COUNT', '0'],
    ['WORKER_TIMEOUT_SECONDS', '-1'],
    ['SWEEP_GIVE_UP_SECONDS', '1.5'],
  ])('names %s when its value %s is out of range', (name, value) => {
    expect(() => loadLocalConfig({ [name]: value })).toThrow(new RegExp(`${name} `));
  });
});
