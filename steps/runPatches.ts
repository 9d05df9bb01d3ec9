// The patch markers a run asks for when it begins. Each change to the commands a workflow gives came
// with its own marker, and each marker costs a run two history events (the marker and the update of
// its TemporalChangeVersion search attribute): a song asked for six, twelve of the events issue 17
// counts. A run begun from now on records one marker, CURRENT_RUN_PATCHES, that stands for every
// patch the code knows; a run that recorded the separate markers replays by asking for each of them,
// in the order it asked. A patch added later gets its own marker again, until the next such roll-up.
import { patched } from '@temporalio/workflow';

/** Stands for every patch named in the code as of December 2026, each asked for where it always was. */
export const CURRENT_RUN_PATCHES = 'run-patches-2026-12';

export interface RunPatches<K extends string> {
  /** The run recorded CURRENT_RUN_PATCHES: every patch applies, and one asked for later needs no marker. */
  current: boolean;
  /** Whether each patch asked for at the start applies to this run. */
  applies: Record<K, boolean>;
}

/**
 * Asks for the run's patches, in the order given (the order runs that recorded them asked in). Call
 * once, before the run's first await: a patch asked for after a local activity cannot replay (see
 * SLOT_FAST_PATH_FROM_START).
 */
export function runPatches<K extends string>(ids: readonly K[]): RunPatches<K> {
  const current = patched(CURRENT_RUN_PATCHES);
  const applies = {} as Record<K, boolean>;
  for (const id of ids) applies[id] = current || patched(id);
  return { current, applies };
}
