// What each dialect offers, as one matrix: the refusal every adapter raises for a step it lacks, and
// the table `npm run providers` prints (and the README quotes). Pure functions over adapters, so the
// registry can depend on this file and not the other way round.
import type { ProviderAdapter } from './adapter';
import { STEP_KINDS, type ProviderName, type StepKind } from './model';

/** The error for steps outside a dialect's capabilities: it names the provider and the steps. */
export function stepRefusal(provider: ProviderName, steps: string | readonly string[], offered: readonly StepKind[]): Error {
  const list = typeof steps === 'string' ? [steps] : steps;
  const what = list.length === 1 ? `the ${list[0]} step` : `the steps ${list.join(', ')}`;
  return new Error(`provider ${provider} does not offer ${what} (it offers: ${offered.join(', ') || 'nothing'}); nothing was submitted`);
}

export interface ProviderSummary {
  name: ProviderName;
  capabilities: readonly StepKind[];
  callbacks: boolean;
  batchPolling: boolean;
  latestModel: string;
}

export interface CapabilityMatrix {
  /** Step kinds at least one provider offers, in the canonical order of STEP_KINDS. */
  steps: StepKind[];
  providers: ProviderSummary[];
}

export function summarize(adapter: ProviderAdapter): ProviderSummary {
  return {
    name: adapter.name,
    capabilities: adapter.capabilities,
    callbacks: adapter.supportsCallbacks,
    batchPolling: adapter.buildBatchQuery !== undefined && adapter.parseBatchQuery !== undefined,
    latestModel: adapter.resolveModel('latest'),
  };
}

export function capabilityMatrix(adapters: readonly ProviderAdapter[]): CapabilityMatrix {
  const providers = adapters.map(summarize);
  const steps = STEP_KINDS.filter((step) => providers.some((p) => p.capabilities.includes(step)));
  return { steps, providers };
}

const YES = '✓';
const NO = '–';

function cell(offered: boolean): string {
  return offered ? YES : NO;
}

/** The matrix as a GitHub Markdown table, followed by one line per provider. */
export function renderMarkdown(matrix: CapabilityMatrix): string {
  const header = `| step | ${matrix.providers.map((p) => p.name).join(' | ')} |`;
  const rule = `| --- | ${matrix.providers.map(() => ':---:').join(' | ')} |`;
  const rows = matrix.steps.map((step) => `| ${step} | ${matrix.providers.map((p) => cell(p.capabilities.includes(step))).join(' | ')} |`);
  const notes = matrix.providers.map((p) => `- ${p.name}: ${describe(p)}`);
  return [header, rule, ...rows, '', ...notes].join('\n');
}

/** The matrix as aligned plain text for a terminal. */
export function renderText(matrix: CapabilityMatrix): string {
  const names = matrix.providers.map((p) => p.name);
  const first = Math.max('step'.length, ...matrix.steps.map((s) => s.length));
  const widths = names.map((n) => Math.max(n.length, 1));
  const line = (label: string, cells: string[]) => [label.padEnd(first), ...cells.map((c, i) => c.padEnd(widths[i]!))].join('  ').trimEnd();
  const rows = matrix.steps.map((step) => line(step, matrix.providers.map((p) => cell(p.capabilities.includes(step)))));
  const notes = matrix.providers.map((p) => `${p.name.padEnd(Math.max(...names.map((n) => n.length)))}  ${describe(p)}`);
  return [line('step', names), ...rows, '', ...notes].join('\n');
}

function describe(p: ProviderSummary): string {
  return `callbacks ${p.callbacks ? 'yes' : 'no'}, batch polling ${p.batchPolling ? 'yes' : 'no'}, latest model ${p.latestModel}`;
}
