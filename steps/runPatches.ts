// The patch markers a run asks for when it begins. Each change to the commands a workflow gives came
// with its own marker, and each marker costs a run two history events (the marker and the update of
// its TemporalChangeVersion search attribute): a song asked for six, twelve of the events issue 17
// counts. A run begun now records one marker, the newest roll-up, which stands for every patch the
// code knows; a run that recorded an older roll-up replays with the patches that roll-up stood for;
// a run that recorded the separate markers replays by asking for each of them, in the order it asked.

import { patched } from '@temporalio/workflow';

/**
 * Roll-up markers, newest first. Each stands for every patch named in the code when it was made;
 * a patch added after one is named where the run asks for it (`runPatches`' `addedSince`).
 */
export const RUN_PATCH_ROLL_UPS = ['run-patches-2026-12b', 'run-patches-2026-12'] as const;
export type RunPatchRollUp = (typeof RUN_PATCH_ROLL_UPS)[number];

/** What a run begun now records. */
export const CURRENT_RUN_PATCHES: RunPatchRollUp = RUN_PATCH_ROLL_UPS[0];

export interface RunPatches<K extends string> {
  /**
   * The run recorded a roll-up: every patch named before the first roll-up applies, and one of
   * those asked for later needs no marker.
   */
  current: boolean;
  /** Whether each patch asked for at the start applies to this run. */
  applies: Record<K, boolean>;
}

/**
 * Asks for the run's patches, in the order given (the order runs that recorded them asked in). Call
 * once, before the run's first await: a patch asked for after a local activity cannot replay (see
 * SLOT_FAST_PATH_FROM_START). `addedSince` lists, under a roll-up, the patches added after it: a run
 * that recorded that roll-up (or an older one) asks for them by their own markers, which it never
 * recorded, so they do not apply to it.
 */
export function runPatches<K extends string>(ids: readonly K[], addedSince: Partial<Record<RunPatchRollUp, readonly K[]>> = {}): RunPatches<K> {
  const rollUp = RUN_PATCH_ROLL_UPS.find((id) => patched(id));
  const covered = (id: K) =>
    // A patch added after a roll-up was added after every older one too: listed under that roll-up
    // or a newer one, the run's roll-up does not stand for it.
    rollUp !== undefined && !RUN_PATCH_ROLL_UPS.slice(0, RUN_PATCH_ROLL_UPS.indexOf(rollUp) + 1).some((r) => addedSince[r]?.includes(id));
  const applies = {} as Record<K, boolean>;
  for (const id of ids) applies[id] = covered(id) || patched(id);
  return { current: rollUp !== undefined, applies };
}
