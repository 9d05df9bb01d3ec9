// The benchmark's clock: milliseconds since the epoch at this process's start, advanced by the
// monotonic clock. Timers run on the monotonic clock, the wall clock does not: on this kind of
// machine the wall clock ran 0.5 % fast (20,121 wall ms in a 20,000 ms timeout) and once jumped
// about a minute mid-run. Stamped with Date.now(), every webhook looked 100 ms late for 20 s lyrics,
// and the jump made a song seem to finish before its webhooks were sent.
export function benchNow(): number {
  return performance.timeOrigin + performance.now();
}
