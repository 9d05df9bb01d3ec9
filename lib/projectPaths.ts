// Folders the project keeps beside its sources (all git-ignored).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = (): string => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const dataDir = (): string => path.join(projectRoot(), '.data');
