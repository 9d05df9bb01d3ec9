// Temporal wraps the useful message of a failure one or more levels down (workflow failure, child
// or activity failure, application failure); people want the innermost one. Workflow-safe.
export function innermostMessage(err: unknown): string {
  let current = err as { message?: string; cause?: unknown } | undefined;
  let message = String(err);
  while (current) {
    if (current.message) message = current.message;
    current = current.cause as typeof current;
  }
  return message;
}
