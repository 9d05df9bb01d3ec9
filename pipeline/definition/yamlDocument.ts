// A user's YAML or JSON document (JSON is YAML) to plain data, or its syntax errors with line and
// column. Duplicate keys are errors (the later one would silently win), and aliases are bounded so
// that a small file cannot expand into a huge document.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';

export type YamlRead = { ok: true; value: unknown } | { ok: false; errors: string[] };

export function readYamlDocument(text: string, where: string): YamlRead {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${where}${pos ? `:${pos.line}:${pos.col}` : ''}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    return { ok: false, errors: [`${where}: ${(err as Error).message}`] };
  }
}

/** A user's document file as text, or the one line that says why it cannot be read (named as given). */
export async function readDocumentFile(file: string, absolute: string): Promise<{ ok: true; text: string } | { ok: false; errors: string[] }> {
  try {
    return { ok: true, text: await readFile(absolute, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, errors: [`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (err as Error).message})`}`] };
  }
}
