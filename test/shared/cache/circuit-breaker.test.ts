import { CircuitBreaker } from '../../../shared/cache/circuit-breaker';

describe('circuit breaker', () => {
  const setup = () => {
    const clock = { now: 1_000 };
    return { clock, breaker: new CircuitBreaker({ cooldownMs: 100, clock: () => clock.now }) };
  };

  it('allows requests while nothing has failed', () => {
    const { breaker } = setup();
    expect([breaker.allows(), breaker.allows()]).toEqual([true, true]);
    expect(breaker.isOpen).toBe(false);
  });

  describe('after a failure', () => {
    it('refuses requests until the cool-down ends, and says only the first failure opened it', () => {
      const { clock, breaker } = setup();
      expect(breaker.failed()).toBe(true);
      expect(breaker.allows()).toBe(false);
      clock.now += 99;
      expect(breaker.allows()).toBe(false);
      expect(breaker.failed()).toBe(false);
    });

    it('then lets exactly one probe through; a success closes it', () => {
      const { clock, breaker } = setup();
      breaker.failed();
      clock.now += 100;
      expect([breaker.allows(), breaker.allows()]).toEqual([true, false]);
      breaker.succeeded();
      expect([breaker.allows(), breaker.allows()]).toEqual([true, true]);
    });

    it('opens again for a full cool-down when the probe fails', () => {
      const { clock, breaker } = setup();
      breaker.failed();
      clock.now += 100;
      expect(breaker.allows()).toBe(true);
      breaker.failed();
      clock.now += 99;
      expect(breaker.allows()).toBe(false);
      clock.now += 1;
      expect(breaker.allows()).toBe(true);
    });
  });
});
