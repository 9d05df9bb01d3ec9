// The steps of a definition as a graph: which steps each one reads, whether every name it reads
// exists and makes what the field needs, whether the references loop, and an order in which every
// step comes after the steps it reads (the order the workflow starts them in when several are ready).
import type { StepKind } from '../../providers/model';
import { pathError } from './pathErrors';
import { UPLOAD_PREFIX, type StepDefinition } from './schema';
import { INPUT_FIELDS, referenceKindProblem, type InputField } from './stepRules';

/** The step names a step reads, field by field (`audio: upload:...` reads no step). */
export function referencesOf(step: StepDefinition): { field: InputField; name: string; index?: number }[] {
  const refs: { field: InputField; name: string; index?: number }[] = [];
  for (const field of INPUT_FIELDS) {
    const value = step[field];
    if (value === undefined) continue;
    if (field === 'clips') (value as string[]).forEach((name, index) => refs.push({ field, name, index }));
    else if (field === 'audio') {
      if (!(value as string).startsWith(UPLOAD_PREFIX)) refs.push({ field, name: value as string });
    } else refs.push({ field, name: value as string });
  }
  return refs;
}

/** Missing names, references to steps that make the wrong thing, and a step reading itself. */
export function referenceErrors(steps: Readonly<Record<string, StepDefinition>>): string[] {
  const names = Object.keys(steps);
  const errors: string[] = [];
  for (const [name, step] of Object.entries(steps)) {
    for (const ref of referencesOf(step)) {
      const path = ref.index === undefined ? ['steps', name, ref.field] : ['steps', name, ref.field, ref.index];
      const target = steps[ref.name];
      if (ref.name === name) errors.push(pathError(path, 'a step cannot read its own output'));
      else if (!target) errors.push(pathError(path, `no step named "${ref.name}" (steps: ${names.join(', ')})`));
      else {
        const problem = referenceKindProblem(ref.field, target.kind as StepKind);
        if (problem) errors.push(pathError(path, `${problem}: "${ref.name}"`));
      }
    }
  }
  return errors;
}

/**
 * Every step after the steps it reads (ties keep the definition's order), or the first cycle found,
 * as the names along it: `a → b → a`.
 */
export function orderSteps(steps: Readonly<Record<string, StepDefinition>>): { order: string[] } | { cycle: string[] } {
  const names = Object.keys(steps);
  const reads = new Map(names.map((name) => [name, [...new Set(referencesOf(steps[name]!).map((r) => r.name).filter((n) => n in steps && n !== name))]]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dependency of reads.get(name) ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    order.push(name);
    return undefined;
  };
  for (const name of names) {
    const cycle = visit(name);
    if (cycle) return { cycle };
  }
  return { order };
}
