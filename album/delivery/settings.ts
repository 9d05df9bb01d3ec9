// The manifest's `release.delivery`: what the masters in the album's delivery folder are made as.
// The defaults are what distributors publish as their preferred upload (16-bit 44.1 kHz WAV, about
// −14 LUFS integrated, true peak at or below −1 dBTP), so `delivery: {}` asks for a standard folder.
import { z } from 'zod';

export const DELIVERY_FORMATS = ['wav', 'flac'] as const;
export const DELIVERY_BIT_DEPTHS = [16, 24] as const;
export const DELIVERY_SAMPLE_RATES = [44_100, 48_000, 96_000] as const;

const oneOf = <T extends number>(values: readonly [T, ...T[]], unit: string) => z.literal(values, { error: `must be one of ${values.join(', ')}${unit}` });

export const deliverySettings = z.strictObject({
  format: z.enum(DELIVERY_FORMATS, { error: `must be one of ${DELIVERY_FORMATS.join(', ')}` }).default('wav'),
  bitDepth: oneOf(DELIVERY_BIT_DEPTHS, ' (bits)').default(16),
  sampleRate: oneOf(DELIVERY_SAMPLE_RATES, ' (Hz)').default(44_100),
  /** Integrated loudness target, LUFS. */
  loudness: z.number({ error: 'must be a number of LUFS, e.g. -14' }).min(-30, 'must be at least -30 LUFS').max(-6, 'must be at most -6 LUFS').default(-14),
  /** True-peak ceiling, dBTP, measured after mastering (oversampled). */
  truePeak: z.number({ error: 'must be a number of dBTP, e.g. -1' }).min(-6, 'must be at least -6 dBTP').max(0, 'must be at most 0 dBTP').default(-1),
});

export type DeliverySettings = z.output<typeof deliverySettings>;
