// The release report as a person reads it in a terminal: one line per problem, grouped by track,
// each with the figure, then the measurements of every track so that a clean album shows its numbers too.
import type { ReleaseProblem } from './checks';
import type { ReleaseReport } from './releaseCheck';

function problemLine(p: ReleaseProblem): string {
  return `  ${p.severity === 'error' ? 'refused' : 'warning'}  ${p.track ? `track ${p.track.number} "${p.track.title}": ` : ''}${p.message}`;
}

function figures(report: ReleaseReport): string[] {
  return report.tracks.map((t) => {
    const a = t.audio;
    const head = `  ${String(t.number).padStart(2)}. ${t.title}`;
    if (!a) return `${head}: no audio`;
    const loud = a.integratedLufs === undefined ? 'silent' : `${a.integratedLufs.toFixed(1)} LUFS, true peak ${a.truePeakDb!.toFixed(1)} dBTP`;
    const format = t.deliveryMaster ? `, ${a.sampleRate} Hz ${a.bitDepth ?? '?'}-bit ${a.channels === 2 ? 'stereo' : `${a.channels} ch`}` : '';
    const tempoKey = t.analysis ? `, ${t.analysis.bpm} BPM, ${t.analysis.key}` : '';
    return `${head}: ${a.durationSeconds.toFixed(1)} s${format}, ${loud}${tempoKey}, trailing silence ${a.trailingSilenceSeconds.toFixed(1)} s, ${a.clippedSamples} clipped samples (${t.file})`;
  });
}

export function formatReleaseReport(report: ReleaseReport): string {
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  const warnings = report.problems.length - errors;
  const cover = report.cover?.image ? `cover ${report.cover.file}: ${report.cover.image.width}×${report.cover.image.height} ${report.cover.image.codec}` : undefined;
  const verdict = errors === 0
    ? `release check of "${report.title}": ready for a distributor${warnings ? ` (${warnings} ${warnings === 1 ? 'warning' : 'warnings'})` : ''}`
    : `release check of "${report.title}": ${errors} ${errors === 1 ? 'problem' : 'problems'} a distributor would refuse${warnings ? `, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}` : ''}`;
  return [verdict, ...report.problems.map(problemLine), '', 'measured:', ...figures(report), ...(cover ? [`  ${cover}`] : []), ''].join('\n');
}
