// The simulator's memory across restarts. Our stack restarts the simulator whenever a command is
// re-run, while Temporal workflows resume and query the task ids they were given before; a real
// provider keeps its tasks, so with a state directory the simulator keeps them too: one JSON line
// per accepted task, holding everything needed to answer queries and re-render media later.

import { appendFileSync, readFileSync, truncateSync } from 'node:fs';
import { z } from 'zod';
import { audioSpecSchema } from './clipAudio';
import type { TaskContent } from './taskContent';
import type { RestoredTask, SimulatedTask } from './taskStore';

export const JOURNAL_FILE_NAME = 'tasks.jsonl';

// Bump when the line shape changes incompatibly; lines of another version are skipped, not guessed at.
const LINE_VERSION = 1;

const stageTime = z.object({
  stage: z.enum(['text', 'first', 'complete']),
  afterMs: z.number().nonnegative(),
});

const taskContent = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('song'),
    model: z.string(),
    instrumental: z.boolean(),
    clips: z.array(
      z.object({ id: z.string(), title: z.string(), tags: z.string(), lyrics: z.string(), audio: audioSpecSchema.optional() }),
    ),
  }),
  z.object({
    kind: z.literal('lyrics'),
    variants: z.array(z.object({ title: z.string(), text: z.string() })),
  }),
]);

const journalLine = z.object({
  v: z.literal(LINE_VERSION),
  dialect: z.string().min(1),
  route: z.string(),
  id: z.string().min(1),
  sequence: z.number().int().positive(),
  submittedAt: z.iso.datetime(),
  request: z.unknown(),
  callbackUrl: z.string().optional(),
  timeline: z.array(stageTime),
  content: taskContent,
});
type JournalLine = z.infer<typeof journalLine>;

export class TaskJournal {
  constructor(
    readonly file: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Every task saved so far, in submit order. A missing file is an empty journal. */
  load(): RestoredTask<TaskContent>[] {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }

    // Only a crash mid-append leaves bytes after the last newline, and the task on that line was
    // never acknowledged (a submit answers only after its line is written). Cut the fragment off:
    // the next append would otherwise be glued onto it and lost with it at the next load.
    const complete = bytes.lastIndexOf(0x0a) + 1;
    if (complete < bytes.length) {
      this.log(`state: dropping a torn last line (${bytes.length - complete} bytes) from ${this.file}`);
      truncateSync(this.file, complete);
    }

    const tasks: RestoredTask<TaskContent>[] = [];
    const lines = bytes.subarray(0, complete).toString('utf8').split('\n');
    for (const [index, text] of lines.entries()) {
      if (text.trim() === '') continue;
      const task = parseLine(text);
      if (task) tasks.push(task);
      else this.log(`state: skipping unreadable line ${index + 1} of ${this.file}`);
    }
    return tasks;
  }

  append(task: SimulatedTask<TaskContent>): void {
    const line: JournalLine = {
      v: LINE_VERSION,
      dialect: task.dialect,
      route: task.route,
      id: task.id,
      sequence: task.sequence,
      submittedAt: task.submittedAt.toISOString(),
      request: task.request,
      callbackUrl: task.callbackUrl,
      timeline: task.timeline,
      content: task.content,
    };
    // One write call per line, so a crash can tear at most the line being written. Synchronous so
    // the line is in the file before the submit is answered; no fsync, as a simulator need not
    // survive a power cut. Owner-only, because callback URLs in the lines carry signed tokens.
    appendFileSync(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }
}

function parseLine(text: string): RestoredTask<TaskContent> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = journalLine.safeParse(json);
  if (!parsed.success) return undefined;
  const line = parsed.data;
  return {
    dialect: line.dialect,
    id: line.id,
    sequence: line.sequence,
    route: line.route,
    request: line.request,
    callbackUrl: line.callbackUrl,
    submittedAt: new Date(line.submittedAt),
    timeline: line.timeline,
    content: line.content,
  };
}
