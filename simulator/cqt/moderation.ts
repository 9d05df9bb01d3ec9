// CQTAI refuses prompts that name a specific artist (HTTP 451 "artist name not allowed"), as Suno
// does. The simulator knows a handful of names - enough to let a client's "fix the input, never
// retry" error class be exercised on purpose, not a real moderation list.

const ARTISTS = ['taylor swift', 'drake', 'beyonce', 'the beatles', 'ed sheeran', 'billie eilish', 'eminem'];

/** The first known artist named in any of the fields, with the field it was found in. */
export function artistMentioned(fields: Record<string, string | undefined>): { field: string; artist: string } | undefined {
  for (const [field, text] of Object.entries(fields)) {
    if (!text) continue;
    // Accents and punctuation must not hide a name ("Beyoncé", "Taylor-Swift").
    const normalized = ` ${text
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
    const artist = ARTISTS.find((name) => normalized.includes(` ${name} `));
    if (artist) return { field, artist };
  }
  return undefined;
}
