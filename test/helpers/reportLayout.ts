// The album report as a person sees it: loaded in Debian's headless Chromium (driven by
// puppeteer-core, which never downloads a browser of its own), screenshotted, and checked for what
// a reader would notice missing: a broken or absent image, the cover, a waveform per track with audio.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';

/** CHROMIUM_PATH, else Debian's chromium (apt-get install chromium; .ci/run installs it). */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/lib/chromium/chromium'].filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`no Chromium found (looked at ${candidates.join(', ')}): apt-get install -y --no-install-recommends chromium, or set CHROMIUM_PATH`);
  return found;
}

export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in CI cannot use Chromium's sandbox; /dev/shm may be small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export interface ReportLayout {
  problems: string[];
  waveforms: number;
  images: number;
}

/** Opens `file`, saves a full-page screenshot to `screenshot`, and lists what is missing or broken. */
export async function checkReportLayout(browser: Browser, file: string, expected: { waveforms: number }, screenshot: string): Promise<ReportLayout> {
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
    // Evaluated in the page (as text: this project compiles without the DOM's types).
    const seen = (await page.evaluate(`(() => {
      const images = [...document.querySelectorAll('img')];
      return {
        images: images.map((img) => ({ cls: img.className, alt: img.alt, complete: img.complete, naturalWidth: img.naturalWidth, shownWidth: img.getBoundingClientRect().width })),
        overflow: document.documentElement.scrollWidth > window.innerWidth,
      };
    })()`)) as { images: { cls: string; alt: string; complete: boolean; naturalWidth: number; shownWidth: number }[]; overflow: boolean };
    const problems: string[] = [];
    for (const img of seen.images) {
      if (!img.complete || img.naturalWidth === 0) problems.push(`image "${img.alt}" did not load`);
      else if (img.shownWidth === 0) problems.push(`image "${img.alt}" is not shown`);
    }
    const covers = seen.images.filter((i) => i.cls === 'cover');
    if (covers.length !== 1) problems.push(`expected the cover, found ${covers.length} cover images`);
    const waveforms = seen.images.filter((i) => i.cls === 'waveform').length;
    if (waveforms !== expected.waveforms) problems.push(`expected ${expected.waveforms} waveform images, found ${waveforms}`);
    if (seen.overflow) problems.push('the page is wider than the window');
    return { problems, waveforms, images: seen.images.length };
  } finally {
    await page.close();
  }
}
