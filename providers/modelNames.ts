// The newest model each dialect documents, sent when a run names no model or asks for `latest`.
// Any other name is the provider's own and passes through unchanged: accounts differ in what they
// may use, and the provider is the one to say no.
import { ANYINT_DEFAULT_MODEL } from './anyint/adapter';
import type { ProviderName } from './model';

export const LATEST_MODEL: Readonly<Record<ProviderName, string>> = {
  anyint: ANYINT_DEFAULT_MODEL,
  // The seed only names chirp-v3-5 (its default). chirp-v4 is the newest name in the same chirp-vN
  // spelling that is also Suno's own identifier; later Suno models have code names (chirp-auk,
  // chirp-crow) this provider does not document.
  aimusicapi: 'chirp-v4',
  // The seed lists chirp-v3-0 and chirp-v3-5 and recommends "the latest model (such as chirp-v4)".
  newapi: 'chirp-v4',
  // The seed's default is chirp-v4 and it mentions v5-only options; AceData's own model list names
  // chirp-v5-5 as the newest.
  acedata: 'chirp-v5-5',
  // The seed: "v55 (latest, recommended)".
  cqt: 'v55',
};

/** `latest` (any casing) or nothing means the provider's newest model; other names pass through. */
export function resolveModelName(provider: ProviderName, name: string | undefined): string {
  const trimmed = name?.trim();
  return !trimmed || trimmed.toLowerCase() === 'latest' ? LATEST_MODEL[provider] : trimmed;
}
