// Cover images: a two-colour diagonal gradient with soft rings, colours chosen by the clip id,
// so every clip has a recognisably different but reproducible cover.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { seededRandom } from './deterministic';
import { encodePngRgb } from './png';

export const COVER_SIZE = 512;

type Rgb = [number, number, number];

function hslToRgb(hue: number, saturation: number, lightness: number): Rgb {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const sector = (hue / 60) % 6;
  const x = chroma * (1 - Math.abs((sector % 2) - 1));
  const [r, g, b]: Rgb =
    sector < 1 ? [chroma, x, 0]
    : sector < 2 ? [x, chroma, 0]
    : sector < 3 ? [0, chroma, x]
    : sector < 4 ? [0, x, chroma]
    : sector < 5 ? [x, 0, chroma]
    : [chroma, 0, x];
  const m = lightness - chroma / 2;
  return [r + m, g + m, b + m];
}

/** Rows drawn between yields to the event loop (the simulator's HTTP server shares it). */
const ROWS_PER_SLICE = 64;

export async function renderCoverPng(seedLabel: string, size = COVER_SIZE): Promise<Buffer> {
  const random = seededRandom(seedLabel, 'cover');
  const hue = random.int(360);
  const from = hslToRgb(hue, 0.65, 0.55);
  const to = hslToRgb((hue + 90 + random.int(120)) % 360, 0.6, 0.25);
  const centreX = size * (0.3 + random.next() * 0.4);
  const centreY = size * (0.3 + random.next() * 0.4);
  const ringSpacing = size / (10 + random.int(14));

  const rgb = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    if (y > 0 && y % ROWS_PER_SLICE === 0) await yieldToEventLoop();
    for (let x = 0; x < size; x++) {
      const along = (x + y) / (2 * (size - 1));
      const distance = Math.hypot(x - centreX, y - centreY);
      const ring = Math.floor(distance / ringSpacing) % 2 === 0 ? 1 : 0.85;
      const offset = (y * size + x) * 3;
      for (let channel = 0; channel < 3; channel++) {
        const value = ((from[channel] ?? 0) * (1 - along) + (to[channel] ?? 0) * along) * ring;
        rgb[offset + channel] = Math.round(value * 255);
      }
    }
  }
  return encodePngRgb(size, size, rgb);
}
