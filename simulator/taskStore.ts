// Simulated provider tasks and their stage timelines.
//
// A task's stage is never stored: it is computed from the time elapsed since submit, on a
// monotonic clock, every time someone asks. A query that arrives exactly when a stage is due sees
// it, and wall-clock jumps cannot move a task backwards. Timers exist only to push callbacks.
//
// Tasks restored from an earlier run are the exception: no monotonic reading survives a restart,
// so their clock starts from the wall-clock submit time they were saved with.

import { performance } from 'node:perf_hooks';
import { requestIdentity, taskIdFor } from './deterministic';

export type StageName = 'text' | 'first' | 'complete';

export interface StageDelaysMs {
  text: number;
  first: number;
  complete: number;
}

export interface StageTime {
  stage: StageName;
  /** Delay from submit, in milliseconds. */
  afterMs: number;
}

export interface SimulatedTask<Content> {
  /** The dialect that accepted the task; only it answers queries for the task. */
  dialect: string;
  id: string;
  /** 1-based position among accepted submits. */
  sequence: number;
  route: string;
  /** The request body exactly as received. */
  request: unknown;
  callbackUrl?: string;
  submittedAt: Date;
  /** Monotonic clock reading at submit. */
  startedAt: number;
  /** In time order. */
  timeline: StageTime[];
  content: Content;
}

/** A task accepted by an earlier run, as saved then; it has no monotonic reading. */
export type RestoredTask<Content> = Omit<SimulatedTask<Content>, 'startedAt'>;

export interface NewTask<Content> {
  dialect: string;
  route: string;
  request: unknown;
  callbackUrl?: string;
  timeline: StageTime[];
  content: (taskId: string) => Content;
  /** Called once per stage when its time comes (used to push callbacks). */
  onStage?: (task: SimulatedTask<Content>, stage: StageName) => void;
}

export interface TaskStoreHooks<Content> {
  /**
   * Called with every new task before it becomes visible. If it throws, the submit fails and the
   * task never existed, so a client is never handed an id that would not survive a restart.
   */
  persist?: (task: SimulatedTask<Content>) => void;
  monotonicNow?: () => number;
  wallNow?: () => number;
}

export class TaskStore<Content> {
  private readonly tasks = new Map<string, SimulatedTask<Content>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private submissions = 0;
  /** How many tasks each distinct request made so far: ids derive from the request and this count. */
  private readonly occurrences = new Map<string, number>();
  private readonly persist: (task: SimulatedTask<Content>) => void;
  private readonly monotonicNow: () => number;
  private readonly wallNow: () => number;

  constructor(
    private readonly seed: string,
    hooks: TaskStoreHooks<Content> = {},
  ) {
    this.persist = hooks.persist ?? (() => {});
    this.monotonicNow = hooks.monotonicNow ?? (() => performance.now());
    this.wallNow = hooks.wallNow ?? (() => Date.now());
  }

  create(spec: NewTask<Content>): SimulatedTask<Content> {
    const sequence = ++this.submissions;
    const identity = requestIdentity(spec.route, spec.request);
    const occurrence = (this.occurrences.get(identity) ?? 0) + 1;
    const id = taskIdFor(this.seed, identity, occurrence);
    const task: SimulatedTask<Content> = {
      dialect: spec.dialect,
      id,
      sequence,
      route: spec.route,
      request: spec.request,
      callbackUrl: spec.callbackUrl,
      submittedAt: new Date(),
      startedAt: this.monotonicNow(),
      timeline: [...spec.timeline].sort((a, b) => a.afterMs - b.afterMs),
      content: spec.content(id),
    };
    this.persist(task);
    this.occurrences.set(identity, occurrence);
    this.tasks.set(id, task);
    const onStage = spec.onStage;
    if (onStage) {
      for (const { stage, afterMs } of task.timeline) this.schedule(afterMs, () => onStage(task, stage));
    }
    return task;
  }

  /**
   * Makes a task from an earlier run answerable again. Its stages count from its original submit
   * time, so an old task is simply complete; no timers are set, because its callbacks were the
   * earlier run's to send. Later submits are numbered after it, so ids never repeat.
   */
  restore(saved: RestoredTask<Content>): SimulatedTask<Content> {
    // A wall clock that went backwards must not make a saved task younger than zero.
    const ageMs = Math.max(0, this.wallNow() - saved.submittedAt.getTime());
    const task: SimulatedTask<Content> = {
      ...saved,
      timeline: [...saved.timeline].sort((a, b) => a.afterMs - b.afterMs),
      startedAt: this.monotonicNow() - ageMs,
    };
    this.tasks.set(task.id, task);
    this.submissions = Math.max(this.submissions, task.sequence);
    const identity = requestIdentity(task.route, task.request);
    this.occurrences.set(identity, (this.occurrences.get(identity) ?? 0) + 1);
    return task;
  }

  get(taskId: string): SimulatedTask<Content> | undefined {
    return this.tasks.get(taskId);
  }

  /** The latest stage reached by now, or undefined while the task is still pending. */
  stageOf(task: SimulatedTask<Content>): StageName | undefined {
    const elapsed = this.monotonicNow() - task.startedAt;
    let reached: StageName | undefined;
    for (const { stage, afterMs } of task.timeline) {
      if (elapsed >= afterMs) reached = stage;
    }
    return reached;
  }

  /** Stops every pending stage timer; tasks stay readable. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }
}

export function songTimeline(delays: StageDelaysMs): StageTime[] {
  return [
    { stage: 'text', afterMs: delays.text },
    { stage: 'first', afterMs: delays.first },
    { stage: 'complete', afterMs: delays.complete },
  ];
}

/** Lyrics tasks have a single stage; it comes when a song's text stage would. */
export function lyricsTimeline(delays: StageDelaysMs): StageTime[] {
  return [{ stage: 'complete', afterMs: delays.text }];
}

/**
 * Work on a finished song (stems, WAV, video, cover art) has a single stage; it comes when a
 * song's complete stage would, as those jobs take a real provider about as long as a song.
 */
export function postSongTimeline(delays: StageDelaysMs): StageTime[] {
  return [{ stage: 'complete', afterMs: delays.complete }];
}

/** Requests answered in the submit itself (persona, timestamped lyrics) are complete at once. */
export function immediateTimeline(): StageTime[] {
  return [{ stage: 'complete', afterMs: 0 }];
}

export function stageIsAtLeast(reached: StageName | undefined, wanted: StageName): boolean {
  const order: (StageName | undefined)[] = [undefined, 'text', 'first', 'complete'];
  return order.indexOf(reached) >= order.indexOf(wanted);
}
