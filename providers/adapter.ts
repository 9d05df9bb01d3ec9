// The contract every wire dialect implements. Adapters are pure translation: they build the HTTP
// calls and parse the answers; providers/http.ts performs the I/O. Keeping I/O out of adapters lets
// the callback endpoint, the activities and the unit tests share them.
import type { CallbackHint, ProviderName, SongRequest, StepKind, StepRequest, TaskSnapshot, TransformField, TransformKind } from './model';

/**
 * What a submit answered: a task id to wait on or, for steps a dialect answers synchronously
 * (AnyInt's persona and timestamped lyrics, for example), the finished result at once.
 */
export interface SubmitOutcome {
  taskId: string;
  completed?: TaskSnapshot;
}
import type { ErrorClass, ProviderError } from './errors';

/** Song fields that only some dialects can send. */
export type SongOptionField = keyof Pick<SongRequest, 'negativeStyle' | 'vocalGender' | 'variation' | 'weights'>;

export interface HttpCall {
  method: 'GET' | 'POST';
  /** Path under the provider's base URL, with the query string already encoded. */
  path: string;
  body?: unknown;
}

export interface ProviderAdapter {
  readonly name: ProviderName;
  /** The steps this dialect can run; a pipeline asking for another step is refused before any submit. */
  readonly capabilities: readonly StepKind[];
  /**
   * For each transform kind in `capabilities`, the request fields this dialect can send. A request
   * with a field outside this list is refused before any submit, naming the dialect and the field.
   */
  readonly transformFields?: Partial<Record<TransformKind, readonly TransformField[]>>;
  /** The optional song fields (beyond prompt, title, style, lyrics, instrumental, model, persona) this dialect can send. */
  readonly songFields?: readonly SongOptionField[];
  /** Whether the dialect can notify us by webhook (otherwise polling is the only path). */
  readonly supportsCallbacks: boolean;

  /** The HTTP request that creates a task. `callbackUrl` is undefined when callbacks are off. */
  buildSubmit(request: StepRequest, callbackUrl: string | undefined): HttpCall;
  /** The provider task id (or a synchronous result) from a submit answer; throws ProviderError for an error envelope. */
  parseSubmit(kind: StepKind, body: unknown): SubmitOutcome;
  buildQuery(kind: StepKind, taskId: string): HttpCall;
  /** Normalizes a query answer; throws ProviderError for an error envelope. */
  parseQuery(kind: StepKind, taskId: string, body: unknown): TaskSnapshot;
  /** Extracts the task id and stage from a webhook body; throws a WireFormatError naming the field when it is not one. */
  parseCallback(body: unknown): CallbackHint;
  /** This dialect's meaning of an HTTP status or envelope code. */
  classify(code: number): ErrorClass;
  /**
   * A non-2xx answer whose body names the error more precisely than its status (acedata's
   * `used_up`, newapi's `quota_not_enough`): the dialect's error, or undefined to classify by status.
   */
  errorFromBody?(status: number, body: unknown): ProviderError | undefined;
  /** The model name to send: the provider's own names pass through; `latest` (or none) means its newest. */
  resolveModel(name: string | undefined): string;

  /** Dialects that can read many tasks in one request (newapi, acedata) implement both. */
  buildBatchQuery?(kind: StepKind, taskIds: string[]): HttpCall;
  parseBatchQuery?(kind: StepKind, taskIds: string[], body: unknown): TaskSnapshot[];
}
