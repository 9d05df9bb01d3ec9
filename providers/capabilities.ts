// What each dialect offers, as one matrix: the refusal every adapter raises for a step it lacks, and
// the table `npm run providers` prints (and the README quotes). Pure functions over adapters, so the
// registry can depend on this file and not the other way round.
import type { ProviderAdapter } from './adapter';
import { STEP_KINDS, TRANSFORM_STEPS, type ProviderName, type StepKind, type StepRequest, type TransformField, type TransformKind, type TransformRequest } from './model';

/** The error for steps outside a dialect's capabilities: it names the provider and the steps. */
export function stepRefusal(provider: ProviderName, steps: string | readonly string[], offered: readonly StepKind[]): Error {
  const list = typeof steps === 'string' ? [steps] : steps;
  const what = list.length === 1 ? `the ${list[0]} step` : `the steps ${list.join(', ')}`;
  return new Error(`provider ${provider} does not offer ${what} (it offers: ${offered.join(', ') || 'nothing'}); nothing was submitted`);
}

/** The fields of a transform request that are set, named as in TRANSFORM_FIELDS. */
export function transformFieldsOf(request: TransformRequest): TransformField[] {
  const fields: TransformField[] = [];
  for (const [key, value] of Object.entries(request) as [keyof TransformRequest, unknown][]) {
    if (value === undefined) continue;
    if (key === 'weights') {
      for (const [weight, v] of Object.entries(value as object)) if (v !== undefined) fields.push(`weights.${weight}` as TransformField);
    } else if (!(key === 'sources' && Array.isArray(value) && value.length === 0)) fields.push(key);
  }
  return fields;
}

function isTransform(kind: StepKind): kind is TransformKind {
  return (TRANSFORM_STEPS as readonly string[]).includes(kind);
}

/**
 * The fields of a request that the dialect cannot send: a step with any of them is refused before
 * anything is submitted (a silently dropped field would pay for a result the user did not ask for).
 */
export function unsupportedFields(adapter: ProviderAdapter, request: StepRequest): string[] {
  if (request.kind === 'song') {
    const offered = adapter.songFields ?? [];
    const optional = ['negativeStyle', 'vocalGender', 'variation', 'weights'] as const;
    return optional.filter((field) => request.song[field] !== undefined && !offered.includes(field));
  }
  if (!isTransform(request.kind) || !('transform' in request)) return [];
  const offered = adapter.transformFields?.[request.kind] ?? [];
  return transformFieldsOf(request.transform).filter((field) => !offered.includes(field));
}

/** The error for fields a dialect cannot take: it names the provider, the step and each field. */
export function fieldRefusal(provider: ProviderName, kind: StepKind, fields: readonly string[]): Error {
  const what = fields.length === 1 ? `the field ${fields[0]}` : `the fields ${fields.join(', ')}`;
  return new Error(`provider ${provider} cannot take ${what} of the ${kind} step; nothing was submitted`);
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
