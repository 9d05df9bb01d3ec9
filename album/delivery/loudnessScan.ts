// One pass of ffmpeg's ebur128 filter over a file: integrated loudness, its gating threshold, the
// loudness range and the true peak (peak=true: 4× oversampled, the BS.1770 way). Mastering uses the
// first three as loudnorm's "measured" values (they are the same EBU R128 figures loudnorm's own first
// pass prints, without its resampling to 192 kHz), and the true peak of the written master is the
// figure the delivery reports.
import { spawn } from 'node:child_process';
import { ffmpegPath } from '../../runtime/ffmpeg';

export interface LoudnessScan {
  integratedLufs: number;
  thresholdLufs: number;
  rangeLu: number;
  truePeakDb: number;
}

export class SilentSourceError extends Error {
  override readonly name = 'SilentSourceError';
}

/** `prefix`: filters applied before measuring (e.g. the up-mix to stereo the master gets). */
export function scanLoudness(file: string, prefix?: string): Promise<LoudnessScan> {
  return new Promise((resolve, reject) => {
    const filter = [prefix, 'ebur128=peak=true'].filter(Boolean).join(',');
    const child = spawn(ffmpegPath(), ['-hide_banner', '-nostats', '-nostdin', '-loglevel', 'info', '-i', file, '-map', '0:a:0', '-af', filter, '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new Error(`cannot start ffmpeg: ${e.message}`)));
    child.on('close', (code) => {
      const log = Buffer.concat(err).toString('utf8');
      if (code !== 0) return reject(new Error(`cannot measure ${file}: ${log.trim().split('\n').slice(-3).join(' | ')}`));
      try {
        resolve(parseSummary(log, file));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

function parseSummary(log: string, file: string): LoudnessScan {
  const summary = log.slice(log.lastIndexOf('Summary:'));
  const pick = (re: RegExp) => {
    const found = re.exec(summary)?.[1];
    if (found === undefined) throw new Error(`cannot measure ${file}: ebur128 printed no summary`);
    return Number(found);
  };
  const scan = {
    integratedLufs: pick(/Integrated loudness:\s+I:\s+(\S+) LUFS/),
    thresholdLufs: pick(/Integrated loudness:[\s\S]*?Threshold:\s+(\S+) LUFS/),
    rangeLu: pick(/LRA:\s+(\S+) LU\b/),
    truePeakDb: pick(/True peak:\s+Peak:\s+(\S+) dBFS/),
  };
  // Gating leaves nothing of silence: ebur128 then reports −70 LUFS and a peak of −inf.
  if (!Number.isFinite(scan.truePeakDb) || !Number.isFinite(scan.integratedLufs) || scan.integratedLufs <= -70) throw new SilentSourceError(`${file} is silent: there is nothing to master`);
  return scan;
}
