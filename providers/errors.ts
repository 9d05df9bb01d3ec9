// One typed error for every provider failure, classified so that retries follow the class
// (DESIGN.md "Canonical model"): fix-the-input errors are never retried, throttling backs off,
// and a request whose outcome is unknown is never silently repeated.

export const ERROR_CLASSES = ['rejected', 'auth', 'billing', 'throttled', 'unavailable', 'ambiguous'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Classes where retrying the same request can succeed and cannot double-charge. */
export const RETRYABLE_CLASSES: readonly ErrorClass[] = ['throttled', 'unavailable'];

/** Activity failure type names per class, used in retry policies' nonRetryableErrorTypes. */
export function failureTypeOf(errorClass: ErrorClass): string {
  return `Provider${errorClass[0]!.toUpperCase()}${errorClass.slice(1)}`;
}

const MEANINGS: Record<ErrorClass, string> = {
  rejected: 'the provider refused the request; fix the input',
  auth: 'authentication failed; check the API key',
  billing: 'not enough credits or quota',
  throttled: 'rate or task limit reached; retrying with backoff',
  unavailable: 'the provider is unavailable; retrying',
  ambiguous: 'no answer after the request was sent; the task may or may not exist at the provider',
};

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly provider: string,
    readonly errorClass: ErrorClass,
    /** The provider's own code (HTTP status or envelope code), as text. */
    readonly code: string,
    /** The provider's own message, kept verbatim. */
    readonly providerMessage: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${provider} error ${code} (${errorClass}: ${MEANINGS[errorClass]}): ${providerMessage}`);
  }

  get retryable(): boolean {
    return RETRYABLE_CLASSES.includes(this.errorClass);
  }
}

/**
 * The classes most Suno-compatible APIs share; a dialect overrides codes whose meaning differs
 * (for example AnyInt's 429 means quota exhausted, cqt's 429 means task limit).
 */
export function classifyStatus(code: number): ErrorClass {
  if (code === 401 || code === 403) return 'auth';
  if (code === 402) return 'billing';
  if (code === 405 || code === 429 || code === 430) return 'throttled';
  if (code === 455 || code === 408 || code >= 500) return 'unavailable';
  return 'rejected';
}
