// Reports user activity to the backend's idle timer, at most once per
// interval, so auto-lock measures real idleness without a call per keystroke.

export const TOUCH_INTERVAL_MS = 30_000;

export function throttle(fn: () => void, intervalMs: number, now: () => number = Date.now): () => boolean {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const t = now();
    if (t - last < intervalMs) return false;
    last = t;
    fn();
    return true;
  };
}

const EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/** Starts reporting activity on target; returns a function that stops it. */
export function watchActivity(target: EventTarget, touch: () => void, intervalMs = TOUCH_INTERVAL_MS): () => void {
  const report = throttle(touch, intervalMs);
  const onEvent = () => {
    report();
  };
  for (const e of EVENTS) target.addEventListener(e, onEvent, { passive: true, capture: true });
  return () => {
    for (const e of EVENTS) target.removeEventListener(e, onEvent, { capture: true });
  };
}
