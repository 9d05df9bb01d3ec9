// The poll schedule's learned durations (steps/pollSchedule.ts), kept in a file so that a worker
// started again (a deploy, a crash, a supervisor replacing a killed one) polls on what the last one
// learned. Kept in memory only, each start fell back to the documented schedule until a few tasks of
// each kind had finished again; with workers replaced often, every lost webhook then waited for the
// documented fallback look (in chaos runs: 15 s for a simulated song that takes 3 s).
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { LearnedDurations } from './pollSchedule';

/** The file's name in the data directory. */
export const LEARNED_DURATIONS_FILE = 'learned-durations.json';

/** Keys kept at most: a provider endpoint and step kind each, with room for endpoints no longer used. */
const MAX_KEYS = 200;
/** Writes at most this often: every finished task changes the durations, and a restart needs only recent ones. */
const WRITE_EVERY_MS = 2_000;

const fileSchema = z.object({
  version: z.literal(1),
  durations: z.record(z.string(), z.array(z.number().positive().finite())),
});

export interface LearnedDurationsStore {
  /** What the file holds; nothing (the documented schedule) when there is no file or it cannot be read. */
  load(): LearnedDurations;
  /**
   * Writes what `known` answers soon, at most every WRITE_EVERY_MS. It is asked only at the write, so
   * a worker finishing many tasks a second copies its durations once per write, not once per task.
   */
  save(known: () => LearnedDurations): void;
  /** Writes what is pending now (at shutdown, and in tests). */
  flush(): Promise<void>;
}

export function learnedDurationsFile(file: string, warn: (line: string) => void): LearnedDurationsStore {
  let pending: (() => LearnedDurations) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let warnedWrite = false;

  async function write(): Promise<void> {
    const snapshot = pending;
    pending = undefined;
    if (!snapshot) return;
    const known = snapshot();
    const keys = Object.keys(known).slice(-MAX_KEYS);
    const body = JSON.stringify({ version: 1, durations: Object.fromEntries(keys.map((key) => [key, known[key]!])) });
    // Another file, then a rename: a worker killed mid-write leaves the last whole file, never half of one.
    const partial = `${file}.${process.pid}.partial`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(partial, body);
      await rename(partial, file);
    } catch (err) {
      // Polling still works from memory; say it once rather than at every finished task.
      if (!warnedWrite) warn(`${file}: learned poll durations not saved (${(err as Error).message})`);
      warnedWrite = true;
    }
  }

  return {
    load() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(`${file}: not read (${(err as Error).message}); polling on the documented schedule`);
        return {};
      }
      let parsed: z.ZodSafeParseResult<z.infer<typeof fileSchema>>;
      try {
        parsed = fileSchema.safeParse(JSON.parse(text));
      } catch {
        warn(`${file}: not JSON; polling on the documented schedule`);
        return {};
      }
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        warn(`${file}: ${issue?.path.join('.') || 'file'}: ${issue?.message}; polling on the documented schedule`);
        return {};
      }
      return parsed.data.durations;
    },
    save(known) {
      pending = known;
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        writing = writing.then(write);
      }, WRITE_EVERY_MS);
      // A worker that is otherwise done does not stay up for this.
      timer.unref();
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      writing = writing.then(write);
      await writing;
    },
  };
}
