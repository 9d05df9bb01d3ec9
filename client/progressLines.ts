// Progress answers as lines a person reads while a song or pipeline runs: each step's state as it
// changes, and what waits for a person (a clip choice, a step that needs an operator).
import type { PipelineProgress } from '../contracts/pipelineMessages';

/** Turns progress answers into lines: each step's state as it changes, and what waits for a person. */
export function progressLines(workflowId: string, say: (line: string) => void): (progress: PipelineProgress) => void {
  let last = '';
  let toldAboutChoice = false;
  const told = new Set<string>();
  return (p) => {
    for (const a of p.needsAttention ?? []) {
      const key = `attention ${a.stepId}`;
      if (!told.has(key)) {
        told.add(key);
        say(`  step ${a.stepId} NEEDS ATTENTION: ${a.reason}`);
        say(`    the run waits; resolve it with: npm run resolve -- ${workflowId} --step ${a.stepId} --task-id <id> | --resubmit | --abandon`);
      }
    }
    if (p.state === 'awaiting-choice' && !toldAboutChoice) {
      toldAboutChoice = true;
      say(`  waiting for a clip choice: npm run choose-clip -- ${workflowId} <clipId>`);
      for (const c of p.candidates ?? []) say(`    ${c.id}  ${c.title ?? ''}  ${c.audioUrl ?? ''}`);
    }
    const line = p.steps.map((s) => `${s.stepId}: ${s.state}${s.providerStatus ? ` (${s.providerStatus})` : ''}`).join('  |  ');
    if (line && line !== last) {
      last = line;
      say(`  ${line}`);
    }
  };
}
