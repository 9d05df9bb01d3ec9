// Adapters by provider name. Dialects not yet built are absent, and asking for them fails with a
// message that names the provider.
import type { ProviderAdapter } from './adapter';
import { anyint } from './anyint';
import type { ProviderName, StepKind } from './model';

const ADAPTERS: Partial<Record<ProviderName, ProviderAdapter>> = { anyint };

export function adapterFor(name: ProviderName): ProviderAdapter {
  const adapter = ADAPTERS[name];
  if (!adapter) {
    const known = Object.keys(ADAPTERS).join(', ');
    throw new Error(`provider "${name}" has no adapter yet (available: ${known})`);
  }
  return adapter;
}

export function availableProviders(): ProviderName[] {
  return Object.keys(ADAPTERS) as ProviderName[];
}

/** The steps in `steps` that `provider` cannot run; empty when the pipeline can proceed. */
export function missingCapabilities(name: ProviderName, steps: readonly StepKind[]): StepKind[] {
  const adapter = adapterFor(name);
  return steps.filter((step) => !adapter.capabilities.includes(step));
}
