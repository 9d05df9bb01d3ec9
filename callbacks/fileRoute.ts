// The user's own audio, served to the provider that must fetch it: `GET /files/<token>/<name>`. The
// token is signed and expires (callbacks/fileToken.ts) and names the one file it opens, by content
// hash, in the uploads folder; nothing else on the machine can be reached through this route.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { verifyFileToken } from './fileToken';

const CONTENT_TYPES: Record<string, string> = { '.mp3': 'audio/mpeg', '.wav': 'audio/wav', '.m4a': 'audio/mp4', '.flac': 'audio/flac' };

export interface FileRouteOptions {
  secret: string;
  /** The folder uploads are published into (pipeline activities write it). */
  uploadsDir: string;
  log: (line: string) => void;
}

export function registerFileRoute(app: FastifyInstance, options: FileRouteOptions): void {
  app.get<{ Params: { token: string; name: string } }>('/files/:token/:name', async (req, reply) => {
    const check = verifyFileToken(options.secret, req.params.token);
    // The name in the path must be the one the token signs: a token opens exactly one file.
    if (!check.ok || check.claims.file !== req.params.name) {
      options.log(`file refused: ${check.ok ? 'name does not match its token' : `${check.reason} token`}`);
      return reply.code(401).send({ error: 'invalid file token' });
    }
    const file = path.join(options.uploadsDir, check.claims.file);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return reply.code(404).send({ error: 'not found' });
    options.log(`file served: ${check.claims.file.slice(0, 12)}… (${info.size} bytes)`);
    return reply
      .code(200)
      .header('content-type', CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream')
      .header('content-length', info.size)
      .send(createReadStream(file));
  });
}
