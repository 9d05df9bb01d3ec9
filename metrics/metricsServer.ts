// The HTTP endpoint Prometheus scrapes: GET /metrics on its own port (METRICS_PORT), never on the
// public callback port. It serves our registry and, on a worker, the Temporal SDK's own metrics,
// which the SDK's exporter serves on a loopback port of its own: one scrape target per process,
// one port to open, and the SDK's port never leaves the machine.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  registry: Registry;
  port: number;
  /** Default 0.0.0.0: Prometheus usually scrapes from another machine. */
  host?: string;
  /** The Temporal SDK exporter's URL (http://127.0.0.1:<port>/metrics), merged into each answer. */
  sdkMetricsUrl?: string;
}

export interface MetricsServer {
  /** http://host:port/metrics */
  url: string;
  close(): Promise<void>;
}

const SDK_FETCH_TIMEOUT_MS = 2_000;

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    scrape(options).then(
      (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${err.message}\n`),
    );
  });
  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const dialHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${dialHost}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Ours, then the SDK's families that do not clash with ours (they never should: ours are music_, process_ and nodejs_). */
async function scrape(options: MetricsServerOptions): Promise<string> {
  const ours = await options.registry.metrics();
  if (!options.sdkMetricsUrl) return ours;
  const sdk = await fetchSdkMetrics(options.sdkMetricsUrl);
  const up = `# HELP music_sdk_metrics_up Whether the Temporal SDK's metrics could be read for this scrape.\n# TYPE music_sdk_metrics_up gauge\nmusic_sdk_metrics_up ${sdk === undefined ? 0 : 1}\n`;
  if (sdk === undefined) return ours + up;
  const taken = new Set(ours.match(/^# TYPE (\S+)/gm)?.map((line) => line.slice('# TYPE '.length)) ?? []);
  return `${ours}${up}${dropFamilies(sdk, taken)}`;
}

async function fetchSdkMetrics(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(SDK_FETCH_TIMEOUT_MS) });
    if (!response.ok) return undefined;
    const text = await response.text();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch {
    // The scrape still answers with our metrics; music_sdk_metrics_up says what is missing.
    return undefined;
  }
}

/** The exposition text without the families whose names are taken (a family's lines start with its name). */
function dropFamilies(text: string, taken: Set<string>): string {
  if (taken.size === 0) return text;
  const belongs = (line: string, family: string) => line.startsWith(family) && /^[\s{_]/.test(line.slice(family.length) || ' ');
  return text
    .split('\n')
    .filter((line) => {
      const name = line.startsWith('# ') ? line.split(' ')[2] ?? '' : line;
      return ![...taken].some((family) => belongs(name, family));
    })
    .join('\n');
}
