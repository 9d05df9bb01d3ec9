// Every dialect is registered; a pipeline asking a provider for a step it lacks is refused with the
// provider and the step named; and every pipeline step a dialect declares can really be built.
import { describe, expect, it } from 'vitest';
import { capabilityMatrix, renderMarkdown, renderText } from '../providers/capabilities';
import { CLIP_STEPS, PROVIDER_NAMES, STEP_KINDS, type StepKind, type StepRequest } from '../providers/model';
import { adapterFor, assertCapabilities, availableProviders, missingCapabilities } from '../providers/registry';

const source = { taskId: 'task-1', clipId: 'clip-1', audioUrl: 'https://m/clip-1.mp3', durationSeconds: 120, title: 'Song' };

/** A sample canonical request for each step kind the canonical model can express. */
const SAMPLES: Partial<Record<StepKind, StepRequest>> = {
  lyrics: { kind: 'lyrics', lyrics: { prompt: 'a song about rain' } },
  song: { kind: 'song', song: { prompt: 'a song about rain', instrumental: false } },
  persona: { kind: 'persona', persona: { source, name: 'Rain voice', description: 'soft and warm' } },
  ...Object.fromEntries(CLIP_STEPS.map((kind) => [kind, { kind, source }])),
};

describe('provider registry', () => {
  it('registers all five dialects under their own names', () => {
    expect(availableProviders()).toEqual([...PROVIDER_NAMES]);
    for (const name of PROVIDER_NAMES) expect(adapterFor(name).name).toBe(name);
  });

  it('names the provider when asked for one it does not know', () => {
    expect(() => adapterFor('nope' as never)).toThrow(/"nope".*available: anyint, aimusicapi, newapi, acedata, cqt/);
  });

  it('declares only canonical step kinds', () => {
    for (const name of PROVIDER_NAMES) {
      for (const step of adapterFor(name).capabilities) expect(STEP_KINDS).toContain(step);
    }
  });

  it('lists the steps a provider lacks, for every provider', () => {
    expect(missingCapabilities('aimusicapi', ['lyrics', 'song', 'wav'])).toEqual(['lyrics', 'wav']);
    expect(missingCapabilities('newapi', ['lyrics', 'song', 'persona'])).toEqual(['persona']);
    expect(missingCapabilities('acedata', ['lyrics', 'song', 'persona', 'stems', 'all-stems', 'wav', 'mp4', 'timestamped-lyrics', 'cover-art'])).toEqual(['cover-art']);
    expect(missingCapabilities('cqt', ['song', 'cover-art', 'mashup', 'vox'])).toEqual(['vox']);
    expect(missingCapabilities('anyint', ['song'])).toEqual([]);
  });

  it('refuses a pipeline before submitting, naming the provider and the step', () => {
    expect(() => assertCapabilities('aimusicapi', ['song', 'lyrics'])).toThrow(/provider aimusicapi does not offer the lyrics step/);
    expect(() => assertCapabilities('cqt', ['vox'])).toThrow(/cqt.*vox.*nothing was submitted/);
    expect(() => assertCapabilities('newapi', ['song', 'wav', 'mp4'])).toThrow(/provider newapi does not offer the steps wav, mp4/);
    expect(() => assertCapabilities('acedata', ['song', 'wav'])).not.toThrow();
  });

  it('refuses at build time too, naming the provider and the step, for every dialect', () => {
    for (const name of PROVIDER_NAMES) {
      const adapter = adapterFor(name);
      for (const [kind, request] of Object.entries(SAMPLES) as [StepKind, StepRequest][]) {
        if (adapter.capabilities.includes(kind)) continue;
        expect(() => adapter.buildSubmit(request, undefined), `${name} ${kind}`).toThrow(new RegExp(`${name}.*${kind}`));
      }
    }
  });

  it('can build every declared step the canonical model expresses (what a pipeline may ask for)', () => {
    for (const name of PROVIDER_NAMES) {
      const adapter = adapterFor(name);
      for (const kind of adapter.capabilities) {
        const request = SAMPLES[kind];
        if (!request) continue;
        const call = adapter.buildSubmit(request, adapter.supportsCallbacks ? 'https://cb.example/callbacks/t' : undefined);
        expect(call.path, `${name} ${kind}`).toMatch(/^\//);
      }
    }
  });

  it('knows where to read back every task it can submit (aimusicapi, newapi, acedata, cqt)', () => {
    // AnyInt answers some steps in the submit itself and has no query route for them.
    for (const name of ['aimusicapi', 'newapi', 'acedata', 'cqt'] as const) {
      const adapter = adapterFor(name);
      for (const kind of adapter.capabilities) {
        if (SAMPLES[kind]) expect(adapter.buildQuery(kind, 'task-1').path, `${name} ${kind}`).toMatch(/^\//);
      }
    }
  });

  it('dialects without callbacks refuse callback bodies, naming the dialect', () => {
    for (const name of PROVIDER_NAMES) {
      const adapter = adapterFor(name);
      if (adapter.supportsCallbacks) continue;
      expect(() => adapter.parseCallback({ task_id: 'x' })).toThrow(new RegExp(`${name}.*no callbacks`));
    }
  });
});

describe('capability matrix', () => {
  const matrix = capabilityMatrix(availableProviders().map(adapterFor));

  it('has a row for each step some provider offers and a column per provider', () => {
    expect(matrix.providers.map((p) => p.name)).toEqual([...PROVIDER_NAMES]);
    expect(matrix.steps).toContain('song');
    for (const step of matrix.steps) expect(matrix.providers.some((p) => p.capabilities.includes(step))).toBe(true);
  });

  it('says which dialects call back, poll in batches, and their latest model', () => {
    const byName = Object.fromEntries(matrix.providers.map((p) => [p.name, p]));
    expect(byName.newapi).toMatchObject({ callbacks: true, batchPolling: true, latestModel: 'chirp-v4' });
    expect(byName.acedata).toMatchObject({ callbacks: true, batchPolling: true, latestModel: 'chirp-v5-5' });
    expect(byName.cqt).toMatchObject({ callbacks: false, batchPolling: false, latestModel: 'v55' });
    expect(byName.aimusicapi).toMatchObject({ callbacks: false, batchPolling: false, latestModel: 'chirp-v4' });
    expect(byName.anyint).toMatchObject({ callbacks: true, latestModel: 'V5' });
  });

  it('renders Markdown and text', () => {
    const markdown = renderMarkdown(matrix);
    expect(markdown.split('\n')[0]).toBe('| step | anyint | aimusicapi | newapi | acedata | cqt |');
    expect(markdown).toContain('| song | ✓ | ✓ | ✓ | ✓ | ✓ |');
    // The anyint column belongs to its own adapter; the other four are these dialects'.
    expect(markdown).toMatch(/^\| persona \| [✓–] \| – \| – \| ✓ \| ✓ \|$/m);
    expect(markdown).toMatch(/^\| mashup \| [✓–] \| – \| – \| ✓ \| ✓ \|$/m);
    expect(markdown).toContain('- cqt: callbacks no, batch polling no, latest model v55');
    expect(renderText(matrix)).toMatch(/^step\s+anyint\s+aimusicapi\s+newapi\s+acedata\s+cqt$/m);
  });
});
