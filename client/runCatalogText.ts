// How `music status`, `list` and `show` print runs for a person (their --json prints the objects of
// client/runCatalog.ts as they are). Colours follow picocolors: none when NO_COLOR is set or the
// output is not a terminal.
import pc from 'picocolors';
import type { RunDetail, RunState, RunSummary } from './runCatalog';

const STATE_COLOUR: Record<RunState, (s: string) => string> = {
  running: pc.cyan,
  'awaiting-choice': pc.yellow,
  'needs-attention': pc.yellow,
  succeeded: pc.green,
  partial: pc.yellow,
  failed: pc.red,
  terminated: pc.red,
  cancelled: pc.red,
  'timed-out': pc.red,
};

/** The state word, padded before colouring so that columns stay aligned. */
export function stateWord(state: RunState, width = 0): string {
  return STATE_COLOUR[state](state.padEnd(width));
}

/** "3 min ago", "2 h ago", "5 d ago": enough to tell today's runs from last week's. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function runRow(run: RunSummary, now = Date.now()): string {
  const extra = [run.provider, run.album && run.kind !== 'album' ? `album ${run.album}` : undefined, run.state === 'running' && run.step && run.step !== 'queued' ? `on ${run.step}` : undefined]
    .filter(Boolean)
    .join(', ');
  return `${stateWord(run.state, 16)} ${run.kind.padEnd(8)} ${run.workflowId.padEnd(44)} ${ago(run.startedAt, now).padStart(10)}${extra ? `  ${extra}` : ''}`;
}

export function runTable(runs: RunSummary[], now = Date.now()): string {
  if (runs.length === 0) return 'no runs match\n';
  const head = pc.dim(`${'STATE'.padEnd(16)} ${'KIND'.padEnd(8)} ${'RUN'.padEnd(44)} ${'STARTED'.padStart(10)}  DETAILS`);
  return `${[head, ...runs.map((r) => runRow(r, now))].join('\n')}\n`;
}

export function detailText(d: RunDetail): string {
  const lines: string[] = [];
  lines.push(`${pc.bold(d.workflowId)}  ${d.kind}  ${stateWord(d.state)}`);
  if (d.title) lines.push(`  title      ${d.title}`);
  if (d.provider) lines.push(`  provider   ${d.provider}`);
  if (d.album && d.kind !== 'album') lines.push(`  album      ${d.album}`);
  if (d.parentWorkflowId) lines.push(`  part of    ${d.parentWorkflowId}`);
  lines.push(`  started    ${d.startedAt} (${ago(d.startedAt)})`);
  if (d.closedAt) lines.push(`  closed     ${d.closedAt}`);
  if (d.outDir) lines.push(`  folder     ${d.outDir}`);
  for (const dir of d.outDirs ?? []) lines.push(`  folder     ${dir}`);
  if (d.credits) {
    const parts = [
      d.credits.spent !== undefined ? `${d.credits.spent} spent${d.credits.total !== undefined ? ' by this run' : ''}` : undefined,
      d.credits.total !== undefined ? `${d.credits.total} over every run in its folder` : undefined,
      d.credits.estimated !== undefined ? `${d.credits.estimated} estimated` : undefined,
    ];
    lines.push(`  credits    ${parts.filter(Boolean).join(', ')}`);
  }
  if (d.steps?.length) {
    lines.push('  steps');
    for (const s of d.steps) lines.push(`    ${s.step.padEnd(20)} ${s.state}${s.reused ? ' (reused)' : ''}${s.error && s.state === 'failed' ? `  ${pc.red(s.error)}` : ''}`);
  }
  if (d.tracks?.length) {
    lines.push('  tracks');
    for (const t of d.tracks) {
      const credits = t.creditsSpent !== undefined ? `${String(t.creditsSpent).padStart(5)} credits` : '';
      lines.push(`    ${String(t.number).padStart(2)}. ${t.title.padEnd(28)} ${t.state.padEnd(10)} ${credits}  ${pc.dim(t.workflowId)}${t.error ? `  ${pc.red(t.error)}` : ''}`);
    }
  }
  if (d.albums?.length) {
    lines.push('  albums');
    for (const a of d.albums) {
      const credits = a.creditsSpent !== undefined ? `${String(a.creditsSpent).padStart(5)} credits` : '';
      lines.push(`    ${a.albumId.padEnd(36)} ${a.state.padEnd(10)} ${credits}${a.error ? `  ${pc.red(a.error)}` : ''}`);
    }
  }
  if (d.needsAttention?.length) {
    lines.push(pc.yellow(`  needs attention: music resolve ${d.workflowId}`));
    for (const w of d.needsAttention) lines.push(`    ${w.stepId}: ${w.reason}`);
  }
  if (d.candidates?.length) {
    lines.push(pc.yellow(`  waiting for a clip choice: music choose-clip ${d.workflowId} <clip id>`));
    for (const c of d.candidates) lines.push(`    ${c.id}  ${c.title ?? ''}  ${c.durationSeconds ?? '?'} s`);
  }
  const stepErrors = new Set((d.steps ?? []).filter((s) => s.error).map((s) => `step ${s.step}`));
  const shownErrors = new Set((d.steps ?? []).filter((s) => s.state === 'failed' && s.error).map((s) => s.error));
  const other = d.failures.filter((f) => !stepErrors.has(f.what) && !shownErrors.has(f.error) && !f.what.startsWith('track ') && !f.what.startsWith('album '));
  for (const f of other) lines.push(`  ${pc.red(`${f.what} failed`)}: ${f.error}`);
  if (d.progressUnavailable) lines.push(`  ${pc.dim(d.progressUnavailable)}`);
  if (d.record) {
    lines.push(`  record     ${d.record.file} (${d.record.files.length} files)`);
    for (const f of d.record.files) lines.push(`    ${f.file.padEnd(32)} ${pc.dim(f.kind)}`);
  }
  return `${lines.join('\n')}\n`;
}
