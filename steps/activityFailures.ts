// Converts provider-side errors into Temporal failures whose type names the error class, so that
// retry policies can list the classes that must never be retried.
import { ApplicationFailure } from '@temporalio/common';
import { failureTypeOf, ProviderError } from '../providers/errors';
import { WireFormatError } from '../providers/wire';

export const WIRE_FORMAT_FAILURE = 'ProviderWireFormat';

/**
 * `submitting` marks errors raised while creating a task: there an unreadable answer means the task
 * may exist, which is the ambiguous case, not a transient one. `retryDelayMs`, when given, is the
 * delay before a retry the provider did not time itself (no Retry-After).
 */
export function toActivityFailure(err: unknown, submitting: boolean, retryDelayMs?: number): unknown {
  if (err instanceof ProviderError) {
    return ApplicationFailure.create({
      type: failureTypeOf(err.errorClass),
      message: err.message,
      nonRetryable: !err.retryable,
      nextRetryDelay: err.retryAfterMs ?? retryDelayMs,
      details: [{ provider: err.provider, code: err.code, errorClass: err.errorClass, providerMessage: err.providerMessage }],
    });
  }
  if (err instanceof WireFormatError) {
    return ApplicationFailure.create({
      type: submitting ? failureTypeOf('ambiguous') : WIRE_FORMAT_FAILURE,
      message: err.message,
      nonRetryable: submitting,
      nextRetryDelay: submitting ? undefined : retryDelayMs,
    });
  }
  return err;
}
