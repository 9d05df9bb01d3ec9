// Coalesces task queries that one worker makes at about the same time into one batch request, for
// dialects that can read many tasks at once (newapi `POST /suno/fetch`, acedata `retrieve_batch`).
// An album polls a dozen tasks in step; one request instead of twelve keeps us under the providers'
// rate limits. Dialects without batch reads, and lone queries, go out as single queries.
import type { ProviderAdapter } from '../providers/adapter';
import { callProvider, type CallOptions, type ProviderEndpoint } from '../providers/http';
import type { StepKind, TaskSnapshot } from '../providers/model';

interface Waiting {
  taskId: string;
  resolve(snapshot: TaskSnapshot): void;
  reject(err: unknown): void;
}

interface Pending {
  adapter: ProviderAdapter;
  endpoint: ProviderEndpoint;
  kind: StepKind;
  waiting: Waiting[];
  timer: NodeJS.Timeout;
}

export interface QueryBatcherOptions {
  /** How long a query waits for companions before the batch goes out. */
  windowMs: number;
  /** Largest batch one request may carry. */
  maxBatch: number;
  call: Pick<CallOptions, 'timeoutMs'>;
}

export class QueryBatcher {
  private readonly pending = new Map<string, Pending>();
  /** Requests sent, by shape: lets tests and benchmarks see the coalescing. */
  readonly sent = { single: 0, batch: 0 };

  constructor(private readonly options: QueryBatcherOptions) {}

  query(adapter: ProviderAdapter, endpoint: ProviderEndpoint, kind: StepKind, taskId: string): Promise<TaskSnapshot> {
    if (!adapter.buildBatchQuery || !adapter.parseBatchQuery) return this.single(adapter, endpoint, kind, taskId);
    const key = `${adapter.name}\u0000${endpoint.baseUrl}\u0000${kind}`;
    return new Promise<TaskSnapshot>((resolve, reject) => {
      let group = this.pending.get(key);
      if (!group) {
        group = { adapter, endpoint, kind, waiting: [], timer: setTimeout(() => this.flush(key), this.options.windowMs) };
        this.pending.set(key, group);
      }
      group.waiting.push({ taskId, resolve, reject });
      if (group.waiting.length >= this.options.maxBatch) {
        clearTimeout(group.timer);
        this.flush(key);
      }
    });
  }

  private async single(adapter: ProviderAdapter, endpoint: ProviderEndpoint, kind: StepKind, taskId: string): Promise<TaskSnapshot> {
    this.sent.single++;
    const body = await callProvider(adapter, endpoint, adapter.buildQuery(kind, taskId), { ...this.options.call, idempotent: true });
    return adapter.parseQuery(kind, taskId, body);
  }

  private flush(key: string): void {
    const group = this.pending.get(key);
    if (!group) return;
    this.pending.delete(key);
    const ids = [...new Set(group.waiting.map((w) => w.taskId))];
    const settle = async () => {
      if (ids.length === 1) return [await this.single(group.adapter, group.endpoint, group.kind, ids[0]!)];
      this.sent.batch++;
      const body = await callProvider(group.adapter, group.endpoint, group.adapter.buildBatchQuery!(group.kind, ids), { ...this.options.call, idempotent: true });
      return group.adapter.parseBatchQuery!(group.kind, ids, body);
    };
    settle().then(
      (snapshots) => {
        for (const w of group.waiting) {
          const found = snapshots.find((s) => s.taskId === w.taskId);
          if (found) w.resolve(found);
          else w.reject(new Error(`${group.adapter.name} batch answer has no task ${w.taskId}`));
        }
      },
      (err: unknown) => {
        for (const w of group.waiting) w.reject(err);
      },
    );
  }
}
