#!/usr/bin/env node
// The `music` command (package.json "bin"): registers tsx's loader in this process, then runs the
// TypeScript dispatcher. One process, so signals and exit codes are the script's own.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/music.ts');
