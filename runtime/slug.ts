// Stable, readable names for workflow ids and folders.
import { createHash } from 'node:crypto';

export function slugify(text: string, maxLength = 40): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '');
  return slug || 'untitled';
}

/** A short hash of a JSON-able value: the same request always names the same run. */
export function shortHash(value: unknown, length = 10): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, length);
}
