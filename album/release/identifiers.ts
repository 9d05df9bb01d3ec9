// The two codes a distributor asks for: a UPC (or EAN) per release and an ISRC per recording. Both
// are checked for their shape here, before anything is uploaded: a typo found by the distributor
// costs days, one found here costs a second.

/** A UPC-A (12 digits) or EAN-13 (13 digits) with a valid GS1 check digit; the reason otherwise. */
export function upcProblem(value: string): string | undefined {
  if (!/^\d+$/.test(value)) return `must be 12 or 13 digits (got "${value}")`;
  if (value.length !== 12 && value.length !== 13) return `must be 12 or 13 digits (it has ${value.length})`;
  const digits = [...value].map(Number);
  const check = digits.pop()!;
  // GS1: from the right of the payload, weights alternate 3, 1, 3, …
  const sum = digits.reverse().reduce((n, d, i) => n + d * (i % 2 === 0 ? 3 : 1), 0);
  const expected = (10 - (sum % 10)) % 10;
  return check === expected ? undefined : `check digit is ${check}, expected ${expected} (a typo in the code?)`;
}

const ISRC = /^([A-Z]{2})-?([A-Z0-9]{3})-?(\d{2})-?(\d{5})$/;

/** CC-XXX-YY-NNNNN (country, registrant, year, designation), with or without hyphens; the reason otherwise. */
export function isrcProblem(value: string): string | undefined {
  return ISRC.test(value.toUpperCase()) ? undefined : `must be an ISRC like CC-XXX-YY-NNNNN: 2 letters, 3 letters or digits, 2 digits, 5 digits (got "${value}")`;
}

/** The ISRC in its compact form (`USRC17607839`), as tags and delivery sheets write it. */
export function compactIsrc(value: string): string {
  return value.toUpperCase().replace(/-/g, '');
}
