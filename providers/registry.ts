// Adapters by provider name: one per wire dialect of the seed documents.
import type { ProviderAdapter } from './adapter';
import { acedata } from './acedata/adapter';
import { aimusicapi } from './aimusicapi/adapter';
import { anyint } from './anyint/adapter';
import { stepRefusal } from './capabilities';
import { limitRefusal, textLimitProblems } from './limits';
import { cqt } from './cqt/adapter';
import { PROVIDER_NAMES, type ProviderName, type StepKind } from './model';
import { newapi } from './newapi/adapter';

/**
 * Every request built through the registry (the worker's submits, the commands' dry runs) is first
 * held against the dialect's text limits (limits.ts): a field too long is refused by name, where the
 * adapters used to cut it silently.
 */
function withTextLimits(adapter: ProviderAdapter): ProviderAdapter {
  return {
    ...adapter,
    buildSubmit(request, callbackUrl) {
      const problems = textLimitProblems(adapter.name, request);
      if (problems.length > 0) throw limitRefusal(adapter.name, request.kind, problems);
      return adapter.buildSubmit(request, callbackUrl);
    },
  };
}

const ADAPTERS: Readonly<Record<ProviderName, ProviderAdapter>> = {
  anyint: withTextLimits(anyint),
  aimusicapi: withTextLimits(aimusicapi),
  newapi: withTextLimits(newapi),
  acedata: withTextLimits(acedata),
  cqt: withTextLimits(cqt),
};

export function adapterFor(name: ProviderName): ProviderAdapter {
  // Names can arrive untyped (config, callback tokens), so the lookup is checked at run time too.
  const adapter = (ADAPTERS as Partial<Record<string, ProviderAdapter>>)[name];
  if (!adapter) throw new Error(`provider "${name}" has no adapter (available: ${availableProviders().join(', ')})`);
  return adapter;
}

export function availableProviders(): ProviderName[] {
  return PROVIDER_NAMES.filter((name) => name in ADAPTERS);
}

/** The steps in `steps` that `provider` cannot run; empty when the pipeline can proceed. */
export function missingCapabilities(name: ProviderName, steps: readonly StepKind[]): StepKind[] {
  const adapter = adapterFor(name);
  return steps.filter((step) => !adapter.capabilities.includes(step));
}

/** Refuses, before anything is submitted, a pipeline whose steps the provider does not all offer. */
export function assertCapabilities(name: ProviderName, steps: readonly StepKind[]): void {
  const missing = missingCapabilities(name, steps);
  if (missing.length > 0) throw stepRefusal(name, missing, adapterFor(name).capabilities);
}
