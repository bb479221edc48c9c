import { describe, expect, it, vi } from 'vitest';
import { throttle, watchActivity } from './activity';

describe('throttle', () => {
  it('calls at most once per interval', () => {
    let t = 1000;
    const fn = vi.fn();
    const report = throttle(fn, 30_000, () => t);
    expect(report()).toBe(true);
    t += 29_999;
    expect(report()).toBe(false);
    t += 1;
    expect(report()).toBe(true);
    expect(fn).toHaveBeenCalledTimes(2);
  });
});

describe('watchActivity', () => {
  it('touches on the first key press and stops after unsubscribe', () => {
    const target = new EventTarget();
    const touch = vi.fn();
    const stop = watchActivity(target, touch, 0);
    target.dispatchEvent(new Event('keydown'));
    target.dispatchEvent(new Event('pointerdown'));
    expect(touch).toHaveBeenCalledTimes(2);
    stop();
    target.dispatchEvent(new Event('keydown'));
    expect(touch).toHaveBeenCalledTimes(2);
  });
});
