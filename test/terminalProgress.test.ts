// The progress a person reads: rows with one vocabulary of state words and elapsed times, redrawn in
// place on a terminal and told once per change anywhere else, coloured only where colour is wanted,
// fitting the width, and ending on the run's final states (never on `queued` for a finished step).
import { describe, expect, it } from 'vitest';
import { stripVTControlCharacters } from 'node:util';
import { albumView, batchView, pipelineView, stepWord } from '../client/progressLines';
import { currentStep } from '../client/trackSteps';
import { colorsWanted, formatElapsed, terminalFor } from '../client/terminal';
import { createRowDisplay, STATE_WORDS, type RowStream } from '../client/terminalRows';
import { creditsLine, printBatchResult, reusedFileCount, reuseLine } from '../client/terminalSummary';
import type { PipelineProgress, StepProgress, StepState } from '../contracts/pipelineMessages';
import type { AlbumProgress } from '../contracts/albumMessages';
import type { AlbumTrackResult } from '../contracts/albumPipeline';
import type { SongPipelineResult } from '../contracts/songPipeline';

/** A stream that keeps what was written, as a terminal (isTTY) or as a pipe. */
function capture(tty: boolean, columns = 80): RowStream & { text: string } {
  const stream = {
    text: '',
    isTTY: tty,
    columns: tty ? columns : undefined,
    rows: 40,
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream;
}

const ANSI_COLOR = /\u001b\[\d+(;\d+)*m/;
const t0 = Date.UTC(2026, 10, 30, 12, 0, 0);

/** The progress answers a song run gives, as the workflow builds them (steps appear as they start). */
function songAnswers(): PipelineProgress[] {
  const base = { hints: { received: 0, ignored: 0 } };
  const lyrics = (state: StepState, extra: Partial<StepProgress> = {}): StepProgress => ({ stepId: 'lyrics', kind: 'lyrics', state, taskId: 'lyr-1', startedAt: t0, ...extra });
  const song = (state: StepState, extra: Partial<StepProgress> = {}): StepProgress => ({ stepId: 'song', kind: 'song', state, taskId: 'song-1', startedAt: t0 + 4_000, ...extra });
  return [
    { ...base, state: 'running', steps: [lyrics('submitting')] },
    { ...base, state: 'running', steps: [lyrics('queued', { providerStatus: 'PENDING' })] },
    { ...base, state: 'running', steps: [lyrics('done', { providerStatus: 'SUCCESS', finishedAt: t0 + 3_000 }), song('queued', { providerStatus: 'PENDING' })] },
    { ...base, state: 'running', steps: [lyrics('done', { providerStatus: 'SUCCESS', finishedAt: t0 + 3_000 }), song('partial', { providerStatus: 'FIRST_SUCCESS' })] },
    { ...base, state: 'running', steps: [lyrics('done', { providerStatus: 'SUCCESS', finishedAt: t0 + 3_000 }), song('storing', { providerStatus: 'SUCCESS' })] },
  ];
}

const finalSteps: StepProgress[] = [
  { stepId: 'lyrics', kind: 'lyrics', state: 'done', taskId: 'lyr-1', providerStatus: 'SUCCESS', startedAt: t0, finishedAt: t0 + 3_000 },
  { stepId: 'song', kind: 'song', state: 'done', taskId: 'song-1', providerStatus: 'SUCCESS', startedAt: t0 + 4_000, finishedAt: t0 + 65_000 },
  { stepId: 'wav', kind: 'wav', state: 'done', taskId: 'wav-1', startedAt: t0 + 66_000, finishedAt: t0 + 70_000 },
];

describe('the words a step state is told in', () => {
  it('maps every step state to one of the few state words, and a reused step to "reused"', () => {
    const states: StepState[] = ['pending', 'waiting-for-slot', 'submitting', 'needs-attention', 'queued', 'running', 'partial', 'succeeded', 'failed', 'storing', 'done', 'skipped'];
    for (const state of states) expect(STATE_WORDS).toContain(stepWord({ state }));
    expect(stepWord({ state: 'done', reused: true })).toBe('reused');
    expect(stepWord({ state: 'storing' })).toBe('saving');
    expect(stepWord({ state: 'succeeded' })).toBe('saving');
  });

  it('formats elapsed time short', () => {
    expect(formatElapsed(4_200)).toBe('4s');
    expect(formatElapsed(65_000)).toBe('1m05s');
    expect(formatElapsed(2 * 3_600_000 + 3 * 60_000)).toBe('2h03m');
  });
});

describe('plain output (not a terminal)', () => {
  it('prints one short line per change, no escapes, no provider status words, and ends on the final states', () => {
    const stream = capture(false);
    let now = t0;
    const view = pipelineView('song-rain-1a2b3c', createRowDisplay(terminalFor(stream, {}), stream, () => now));
    for (const answer of songAnswers()) {
      now += 5_000;
      view.show(answer);
      view.show(answer); // the same answer again is not news
    }
    view.finish(finalSteps);
    const lines = stream.text.trimEnd().split('\n');
    expect(stream.text).not.toMatch(/\u001b/);
    for (const line of lines) expect(line.length).toBeLessThan(80);
    expect(stream.text).not.toMatch(/SUCCESS|PENDING|\(/);
    // lyrics: submitting, queued, done; song: queued, running, saving, done; wav: done
    expect(lines.map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'lyrics submitting',
      'lyrics queued',
      'lyrics done',
      'song queued',
      'song running',
      'song saving',
      'song done',
      'wav done',
    ]);
    // Finished steps carry their own duration, from the run's times.
    expect(lines.find((l) => l.includes('song') && l.includes('done'))).toMatch(/1m01s/);
    expect(lines.find((l) => l.includes('lyrics') && l.includes('done'))).toMatch(/\b3s\b/);
  });

  it('never ends on "queued" for a step the result says is finished, even when the last answer seen was older', () => {
    const stream = capture(false);
    const view = pipelineView('song-x', createRowDisplay(terminalFor(stream, {}), stream));
    view.show(songAnswers()[2]!); // song still queued in the last answer before the run ended
    view.finish(finalSteps);
    const lastSongLine = stream.text.trimEnd().split('\n').filter((l) => l.trim().startsWith('song')).pop()!;
    expect(lastSongLine).toMatch(/song\s+done/);
  });
});

describe('a terminal', () => {
  it('redraws the rows in place and leaves the final rows on screen', () => {
    const stream = capture(true, 80);
    let now = t0;
    const view = pipelineView('song-x', createRowDisplay(terminalFor(stream, { TERM: 'xterm' }), stream, () => now));
    for (const answer of songAnswers()) {
      now += 5_000;
      view.show(answer);
    }
    view.finish(finalSteps);
    // Cursor-up and erase-line sequences: the rows are rewritten, not appended.
    expect(stream.text).toMatch(/\u001b\[1A|\u001b\[\d*A/);
    expect(stream.text).toMatch(/\u001b\[2K/);
    const plain = stripVTControlCharacters(stream.text);
    const lastFrame = plain.slice(plain.lastIndexOf('lyrics'));
    expect(lastFrame).toMatch(/lyrics\s+done/);
    expect(stripVTControlCharacters(stream.text).split('\n').some((l) => /wav\s+done/.test(l))).toBe(true);
    expect(stream.text).toMatch(ANSI_COLOR);
  });

  it('fits every row in a narrow terminal', () => {
    const stream = capture(true, 40);
    const display = createRowDisplay(terminalFor(stream, { TERM: 'xterm' }), stream, () => t0 + 1_000);
    display.update([{ key: 'a', label: 'a-very-long-step-name-that-goes-on-and-on', state: 'failed', detail: 'the provider answered 500 Internal Server Error, and then nothing', startedAt: t0, finishedAt: t0 + 1_000 }]);
    display.finish([{ key: 'a', label: 'x', state: 'failed', detail: 'the provider answered 500 Internal Server Error, and then nothing', startedAt: t0, finishedAt: t0 + 1_000 }]);
    for (const line of stripVTControlCharacters(stream.text).split('\n')) expect(line.length).toBeLessThan(40);
  });

  it('has no colour with NO_COLOR, and colour on a pipe with FORCE_COLOR', () => {
    expect(colorsWanted(true, { NO_COLOR: '1' })).toBe(false);
    expect(colorsWanted(true, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(colorsWanted(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorsWanted(true, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorsWanted(false, {})).toBe(false);
    expect(colorsWanted(true, {})).toBe(true);

    const noColor = capture(true);
    pipelineView('s', createRowDisplay(terminalFor(noColor, { NO_COLOR: '1', TERM: 'xterm' }), noColor)).finish(finalSteps);
    expect(noColor.text).not.toMatch(ANSI_COLOR);
    expect(stripVTControlCharacters(noColor.text)).toMatch(/song\s+done/);

    const forced = capture(false);
    pipelineView('s', createRowDisplay(terminalFor(forced, { FORCE_COLOR: '1' }), forced)).finish(finalSteps);
    expect(forced.text).toMatch(ANSI_COLOR);
    // Still plain lines: colour does not make a pipe live.
    expect(forced.text).not.toMatch(/\u001b\[2K/);
  });
});

describe('review', () => {
  const candidates = [
    { id: 'clip-aaa', title: 'Rain', durationSeconds: 151, audioUrl: 'http://x/a.mp3' },
    { id: 'clip-bbb', title: 'Rain', durationSeconds: 138.4, audioUrl: 'http://x/b.mp3' },
  ];
  const deadline = new Date(2026, 10, 30, 12, 31).getTime();
  const waiting: PipelineProgress = { state: 'awaiting-choice', steps: finalSteps.slice(0, 2), candidates, choiceDeadline: deadline, hints: { received: 0, ignored: 0 } };

  it('shows the deadline and tells the two clips of a generation apart', () => {
    const stream = capture(false);
    const view = pipelineView('song-rain', createRowDisplay(terminalFor(stream, {}), stream));
    view.show(waiting);
    view.show(waiting);
    expect(stream.text.match(/choose a clip by 12:31/g)).toHaveLength(1);
    expect(stream.text).toContain('npm run choose-clip -- song-rain <clip id>');
    expect(stream.text).toMatch(/clip 1 {2}2:31 {2}id clip-aaa/);
    expect(stream.text).toMatch(/clip 2 {2}2:18 {2}id clip-bbb/);
    // The song row says what it waits for.
    expect(stream.text).not.toMatch(/song\s+choosing/);
    view.show({ ...waiting, choiceStepId: 'song' });
    expect(stream.text).toMatch(/song\s+choosing/);
  });

  it('after a review, the song row ends with the time it was shown choosing, not the shorter time before it', () => {
    const stream = capture(true);
    let clock = t0 + 4_000 + 296_000;
    const view = pipelineView('song-rain', createRowDisplay(terminalFor(stream, {}), stream, () => clock));
    view.show({ ...waiting, choiceStepId: 'song' });
    expect(stripVTControlCharacters(stream.text)).toMatch(/song\s+choosing\s+4m56s/);
    clock += 2_000;
    // The result's song step finished (at the provider) at 1:01, long before the choice was made.
    view.finish(finalSteps);
    const songRows = stripVTControlCharacters(stream.text).split('\n').filter((l) => /song\s+done/.test(l));
    expect(songRows.length).toBeGreaterThan(0);
    expect(songRows.at(-1)).toMatch(/song\s+done\s+4m56s/);
  });

  it("announces the policy's choice when the time runs out, and confirms a person's choice", () => {
    const stream = capture(false);
    const view = pipelineView('song-rain', createRowDisplay(terminalFor(stream, {}), stream));
    view.show(waiting);
    view.show({ ...waiting, state: 'running', choiceDeadline: undefined, choice: { stepId: 'song', clipId: 'clip-aaa', clipNumber: 1, by: 'policy', rule: 'first completed', deadline } });
    expect(stream.text).toContain('no choice by 12:31, took clip 1 (first completed; id clip-aaa)');

    const chosen = capture(false);
    const other = pipelineView('song-rain', createRowDisplay(terminalFor(chosen, {}), chosen));
    other.show({ ...waiting, state: 'running', choice: { stepId: 'song', clipId: 'clip-bbb', clipNumber: 2, by: 'person', deadline } });
    expect(chosen.text).toContain('clip 2 chosen (id clip-bbb)');
  });
});

describe('albums and batches', () => {
  it('one row per track; a rerun that reused every step says "reused"', () => {
    const stream = capture(false);
    const view = albumView('album-x', createRowDisplay(terminalFor(stream, {}), stream));
    const progress: AlbumProgress = {
      state: 'running',
      tracks: [
        { number: 1, title: 'Tone', workflowId: 'album-x-t01', state: 'lyrics', attempts: 0 },
        { number: 2, title: 'Night Train', workflowId: 'album-x-t02', state: 'queued', attempts: 0 },
      ],
    };
    view.show(progress);
    const reusedResult = { steps: [{ stepId: 'song', kind: 'song', state: 'done', taskId: 't', reused: true }], artifacts: [] } as unknown as SongPipelineResult;
    const paidResult = { steps: finalSteps, artifacts: [] } as unknown as SongPipelineResult;
    const tracks: AlbumTrackResult[] = [
      { number: 1, title: 'Tone', workflowId: 'album-x-t01', state: 'succeeded', attempts: 1, result: paidResult },
      { number: 2, title: 'Night Train', workflowId: 'album-x-t02', state: 'succeeded', attempts: 1, result: reusedResult },
    ];
    view.finish(tracks);
    const lines = stream.text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/1\. Tone\s+running\s+\S*\s+lyrics/);
    expect(lines[1]).toMatch(/2\. Night Train\s+waiting/);
    expect(lines).toContainEqual(expect.stringMatching(/1\. Tone\s+done/));
    expect(lines).toContainEqual(expect.stringMatching(/2\. Night Train\s+reused/));
  });

  it('a reused track prints one line in a log, "reused", never "done" and then "reused"', () => {
    const stream = capture(false);
    const view = albumView('album-x', createRowDisplay(terminalFor(stream, {}), stream));
    const track = { number: 1, title: 'Tone', workflowId: 'album-x-t01', attempts: 1 };
    view.show({ state: 'running', tracks: [{ ...track, state: 'running' }] });
    view.show({ state: 'running', tracks: [{ ...track, state: 'succeeded', reused: true }] });
    const reusedResult = { steps: [{ stepId: 'song', kind: 'song', state: 'done', taskId: 't', reused: true }], artifacts: [] } as unknown as SongPipelineResult;
    view.finish([{ ...track, state: 'succeeded', result: reusedResult }]);
    const lines = stream.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/1\. Tone\s+running/);
    expect(lines[1]).toMatch(/1\. Tone\s+reused/);
    expect(stream.text).not.toMatch(/Tone\s+done/);
  });

  it("a running track's row carries the step its own run is on; the step of a track run is told in the rows' words", () => {
    const answers = songAnswers();
    expect(currentStep(answers[0]!)).toBe('lyrics submitting');
    expect(currentStep(answers[2]!)).toBe('song queued');
    expect(currentStep(answers[4]!)).toBe('song saving');
    expect(currentStep({ state: 'awaiting-choice', steps: finalSteps.slice(0, 2), choiceStepId: 'song', hints: { received: 0, ignored: 0 } })).toBe('song choosing a clip');
    const stream = capture(false);
    const view = albumView('album-x', createRowDisplay(terminalFor(stream, {}), stream));
    const tracks = [
      { number: 1, title: 'Tone', workflowId: 'album-x-t01', state: 'running' as const, attempts: 1 },
      { number: 2, title: 'Night Train', workflowId: 'album-x-t02', state: 'queued' as const, attempts: 0 },
    ];
    view.show({ state: 'running', tracks, trackSteps: { 1: 'song queued' } });
    view.show({ state: 'running', tracks, trackSteps: { 1: 'song queued' } });
    view.show({ state: 'running', tracks, trackSteps: { 1: 'song running' } });
    const lines = stream.text.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('Tone'))).toEqual([expect.stringMatching(/1\. Tone\s+running\s+\S+\s+song queued$/), expect.stringMatching(/1\. Tone\s+running\s+\S+\s+song running$/)]);
  });

  it('batch: rows per album, and the result names each album folder and the credits', () => {
    const stream = capture(false);
    const view = batchView(['a', 'b'], createRowDisplay(terminalFor(stream, {}), stream));
    view.show({ done: [], running: ['a'], waiting: ['b'] });
    const done = [
      { albumId: 'a', workflowId: 'album-a', status: 'succeeded' as const, creditsSpent: 0, creditsTotal: 55 },
      { albumId: 'b', workflowId: 'album-b', status: 'succeeded' as const, creditsSpent: 30, creditsTotal: 30 },
    ];
    view.finish(done);
    expect(stream.text).toMatch(/a\s+running/);
    expect(stream.text).toMatch(/a\s+done/);
    let out = '';
    const exitCode = process.exitCode;
    printBatchResult('batch-1', done, new Map([['a', '/music/a'], ['b', '/music/b']]), false, (t) => (out += t));
    process.exitCode = exitCode;
    expect(out).toContain('a: succeeded, credits: 0 paid this run, 55 for the album so far');
    expect(out).toContain('  /music/a\n');
    expect(out).toContain('  /music/b\n');
    expect(out).toContain('batch credits: 30 paid this run, 85 for the albums so far');
  });
});

describe('credits and reuse lines', () => {
  it('says what this run paid, the total so far, and how many files a rerun reused', () => {
    expect(creditsLine(12)).toBe('credits: 12 paid this run');
    expect(creditsLine(0, { amount: 55, of: 'album' })).toBe('credits: 0 paid this run, 55 for the album so far');
    expect(reuseLine(0, 12)).toBeUndefined();
    expect(reuseLine(6, 0)).toBe('reused 6 files, 0 credits paid');
    const steps: StepProgress[] = [
      { stepId: 'song', kind: 'song', state: 'done', taskId: 'song-1', reused: true },
      { stepId: 'wav', kind: 'wav', state: 'done', taskId: 'wav-1' },
    ];
    const file = (taskId: string, kind: 'audio' | 'wav' | 'manifest') => ({ kind, path: `/x/${taskId}.${kind}`, sha256: 'x', bytes: 1, source: { provider: 'anyint' as const, taskId } });
    expect(reusedFileCount(steps, [file('song-1', 'audio'), file('song-1', 'audio'), file('wav-1', 'wav'), file('song-1', 'manifest')])).toBe(2);
  });
});
