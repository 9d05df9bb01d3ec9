// The album report as one HTML page that needs nothing else: images are data URIs, the style is
// inline, and the page's content security policy forbids every fetch and every script, so opening
// it (from disk, a mail, a bucket) shows exactly what was written and runs nothing. Every piece of
// text is escaped: titles, lyrics and ids come from users and providers.

export interface ReportImage {
  mime: string;
  data: Buffer;
}

export interface ReportTrack {
  number: number;
  title: string;
  state: string;
  error?: string;
  /** The file measured and drawn (relative to the album folder). */
  file?: string;
  durationSeconds?: number;
  integratedLufs?: number;
  truePeakDb?: number;
  bpm?: number;
  key?: string;
  creditsSpent?: number;
  /** Provider ids, in the order shown: song task, clip, persona, then every step's task. */
  providerIds: { label: string; value: string }[];
  lyrics?: string;
  waveform?: ReportImage;
}

export interface ReportAlbum {
  title: string;
  artist: string;
  year?: number;
  genre?: string;
  provider: string;
  model?: string;
  completedAt?: string;
  creditsSpent: number;
  durationSeconds: number;
  cover?: ReportImage;
  tracks: ReportTrack[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Only image types a browser shows; anything else is not embedded (the data is ours, the type came from sniffing). */
const IMAGE_MIMES = new Set(['image/png', 'image/jpeg', 'image/webp']);

function dataUri(image: ReportImage): string {
  if (!IMAGE_MIMES.has(image.mime)) throw new Error(`cannot embed an image of type ${image.mime}`);
  return `data:${image.mime};base64,${image.data.toString('base64')}`;
}

export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

function figure(label: string, value: string | undefined): string {
  return `<div class="figure"><dt>${escapeHtml(label)}</dt><dd>${value === undefined ? '<span class="none">—</span>' : escapeHtml(value)}</dd></div>`;
}

function renderTrack(t: ReportTrack): string {
  const heading = `<h2><span class="number">${t.number}.</span> ${escapeHtml(t.title)}</h2>`;
  const state = t.state === 'succeeded' ? '' : `<p class="state">${escapeHtml(t.state)}${t.error ? `: ${escapeHtml(t.error)}` : ''}</p>`;
  const figures = [
    figure('duration', t.durationSeconds === undefined ? undefined : formatDuration(t.durationSeconds)),
    figure('loudness', t.integratedLufs === undefined ? undefined : `${t.integratedLufs.toFixed(1)} LUFS`),
    figure('true peak', t.truePeakDb === undefined ? undefined : `${t.truePeakDb.toFixed(1)} dBTP`),
    figure('tempo', t.bpm === undefined ? undefined : `${t.bpm} BPM`),
    figure('key', t.key),
    figure('credits', t.creditsSpent === undefined ? undefined : String(t.creditsSpent)),
  ].join('');
  const wave = t.waveform
    ? `<img class="waveform" data-track="${t.number}" alt="waveform of track ${t.number}" src="${dataUri(t.waveform)}">`
    : '<p class="none">no audio to draw</p>';
  const ids = t.providerIds.length
    ? `<table class="ids"><tbody>${t.providerIds.map((id) => `<tr><th>${escapeHtml(id.label)}</th><td><code>${escapeHtml(id.value)}</code></td></tr>`).join('')}</tbody></table>`
    : '';
  const lyrics = t.lyrics?.trim() ? `<details open><summary>lyrics</summary><pre class="lyrics">${escapeHtml(t.lyrics.trim())}</pre></details>` : '';
  const file = t.file ? `<p class="file">${escapeHtml(t.file)}</p>` : '';
  return `<section class="track" id="track-${t.number}">${heading}${state}<dl class="figures">${figures}</dl>${wave}${file}${ids}${lyrics}</section>`;
}

const STYLE = `
  body { font: 15px/1.45 system-ui, sans-serif; color: #1d232a; background: #f6f7f9; margin: 0; }
  main { max-width: 1240px; margin: 0 auto; padding: 24px; }
  header { display: flex; gap: 24px; align-items: flex-end; margin-bottom: 24px; }
  header img.cover { width: 240px; height: 240px; object-fit: cover; border-radius: 6px; box-shadow: 0 2px 8px #0003; }
  header .no-cover { width: 240px; height: 240px; display: grid; place-items: center; background: #dde2e8; border-radius: 6px; color: #66707a; }
  h1 { margin: 0 0 4px; font-size: 30px; }
  header p { margin: 2px 0; color: #47515c; }
  section.track { background: #fff; border-radius: 6px; padding: 16px 20px; margin-bottom: 16px; box-shadow: 0 1px 3px #0002; }
  h2 { margin: 0 0 8px; font-size: 20px; }
  h2 .number { color: #66707a; }
  dl.figures { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0 0 10px; }
  .figure dt { font-size: 12px; text-transform: uppercase; color: #66707a; }
  .figure dd { margin: 0; font-weight: 600; }
  img.waveform { display: block; width: 100%; height: auto; background: #eef2f6; border-radius: 4px; }
  p.file { margin: 4px 0 8px; font-size: 12px; color: #66707a; }
  table.ids { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
  table.ids th { text-align: left; font-weight: normal; color: #66707a; padding: 1px 14px 1px 0; }
  pre.lyrics { white-space: pre-wrap; font: inherit; margin: 6px 0 0; }
  .state { color: #a33; }
  .none { color: #8a939c; font-weight: normal; }
`;

export function renderAlbumReport(album: ReportAlbum): string {
  const cover = album.cover ? `<img class="cover" alt="cover of ${escapeHtml(album.title)}" src="${dataUri(album.cover)}">` : '<div class="no-cover">no cover</div>';
  const facts = [
    [album.year, album.genre].filter((v) => v !== undefined && v !== '').join(' · '),
    `${album.tracks.length} ${album.tracks.length === 1 ? 'track' : 'tracks'}, ${formatDuration(album.durationSeconds)}`,
    `made with ${album.provider}${album.model ? ` (${album.model})` : ''}, ${album.creditsSpent} credits spent`,
    album.completedAt ? `completed ${album.completedAt}` : '',
  ].filter(Boolean);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(album.title)} — ${escapeHtml(album.artist)}</title>`,
    `<style>${STYLE}</style></head><body><main>`,
    `<header>${cover}<div><h1>${escapeHtml(album.title)}</h1><p class="artist">${escapeHtml(album.artist)}</p>${facts.map((f) => `<p>${escapeHtml(f)}</p>`).join('')}</div></header>`,
    ...album.tracks.map(renderTrack),
    '</main></body></html>',
    '',
  ].join('\n');
}
