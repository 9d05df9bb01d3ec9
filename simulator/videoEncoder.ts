// Which H.264-or-fallback video encoder this machine's ffmpeg offers. Static ffmpeg builds ship
// libx264, but distribution builds without GPL parts do not; ffmpeg's own mpeg4 encoder is always
// there, and every player (and ffprobe) reads an MP4 made with either.

import { execFile } from 'node:child_process';
import { ffmpegPath } from '../runtime/ffmpeg';

let detected: Promise<string[]> | undefined;

/**
 * ffmpeg arguments for the video stream of a still-image music video. One thread, so the bytes do
 * not depend on how many cores the machine has.
 */
export function videoCodecArgs(): Promise<string[]> {
  detected ??= hasEncoder('libx264').then((x264) =>
    x264
      ? ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'stillimage', '-crf', '28', '-threads', '1']
      : ['-c:v', 'mpeg4', '-q:v', '5', '-threads', '1'],
  );
  return detected;
}

function hasEncoder(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    let binary: string;
    try {
      binary = ffmpegPath();
    } catch {
      resolve(false);
      return;
    }
    execFile(binary, ['-hide_banner', '-encoders'], { maxBuffer: 8 * 1024 * 1024 }, (error, stdout) => {
      resolve(!error && new RegExp(`^\\s*V\\S*\\s+${name}\\s`, 'm').test(stdout));
    });
  });
}
