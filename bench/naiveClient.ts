// The yardstick ours is measured against: the client most people write first. Submit the lyrics,
// poll every few seconds until they are done, submit the song with them, poll again, download both
// clips. No callbacks, no durability, no retries beyond the loop itself.

export interface NaiveClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Time between two queries of one task (3 s in the comparison, times the run's time scale). */
  pollMs: number;
  /** Gives up on a task after this long. */
  timeoutMs: number;
}

interface Envelope {
  code: number;
  msg?: string;
  data?: {
    taskId?: string;
    status?: string;
    response?: { data?: { text?: string }[]; sunoData?: { audioUrl?: string }[] };
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one song (lyrics, then the song, then its downloads); resolves when it is done. */
export async function naiveSong(prompt: string, options: NaiveClientOptions): Promise<void> {
  const headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' };
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Envelope> => {
    const response = await fetch(`${options.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const envelope = (await response.json()) as Envelope;
    if (envelope.code !== 200) throw new Error(`${method} ${path}: ${envelope.code} ${envelope.msg ?? ''}`);
    return envelope;
  };
  const waitFor = async (route: string, taskId: string): Promise<Envelope> => {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      await sleep(options.pollMs);
      const answer = await call('GET', `/suno/query/${route}?taskId=${encodeURIComponent(taskId)}`);
      if (answer.data?.status === 'SUCCESS') return answer;
      if (Date.now() > deadline) throw new Error(`task ${taskId} not done after ${options.timeoutMs} ms`);
    }
  };

  const lyricsTask = (await call('POST', '/suno/generate-lyrics', { prompt })).data?.taskId;
  if (!lyricsTask) throw new Error('lyrics submit answered without a taskId');
  const lyrics = (await waitFor('lyrics', lyricsTask)).data?.response?.data?.[0]?.text;
  if (!lyrics) throw new Error(`lyrics task ${lyricsTask} finished without text`);
  const songTask = (await call('POST', '/suno/generate', { customMode: true, instrumental: false, model: 'V4_5', prompt: lyrics, style: prompt, title: 'Naive' })).data?.taskId;
  if (!songTask) throw new Error('song submit answered without a taskId');
  const clips = (await waitFor('task', songTask)).data?.response?.sunoData ?? [];
  for (const clip of clips) {
    if (!clip.audioUrl) continue;
    const response = await fetch(clip.audioUrl);
    await response.arrayBuffer();
  }
}
