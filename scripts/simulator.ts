// Runs the local Suno-compatible simulator on its own, for manual testing or as a provider for a
// worker started elsewhere:  npm run simulator -- --port 8788 --seed demo

import { Command, InvalidArgumentError, Option } from 'commander';
import {
  CALLBACK_FAULTS,
  DEFAULT_STAGE_DELAYS_MS,
  REQUEST_FAULTS,
  startSimulator,
  type FaultOptions,
  type StageDelaysMs,
} from '../simulator/index';

function parseNumber(label: string, { integer = false, min = 0, max = Number.POSITIVE_INFINITY } = {}) {
  return (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      const range = Number.isFinite(max) ? `between ${min} and ${max}` : `>= ${min}`;
      throw new InvalidArgumentError(`${label} must be ${integer ? 'an integer' : 'a number'} ${range}`);
    }
    return value;
  };
}

function parseRate(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !(value >= 0 && value <= 1)) throw new InvalidArgumentError('must be a probability between 0 and 1');
  return value;
}

function parseList<T extends string>(allowed: readonly T[]) {
  return (raw: string): T[] => {
    const items = raw.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
    const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
    if (items.length === 0 || unknown.length > 0) {
      throw new InvalidArgumentError(`${unknown.length > 0 ? `unknown: ${unknown.join(', ')}; ` : ''}choose from ${allowed.join(', ')}`);
    }
    return items as T[];
  };
}

function parseStageDelays(raw: string): StageDelaysMs {
  const parts = raw.split(',').map((part) => Number(part.trim()));
  const [text, first, complete] = parts;
  if (parts.length !== 3 || text === undefined || first === undefined || complete === undefined) {
    throw new InvalidArgumentError('expected three comma-separated milliseconds: text,first,complete');
  }
  if (!parts.every((delay) => Number.isFinite(delay) && delay >= 0) || !(text <= first && first <= complete)) {
    throw new InvalidArgumentError('delays must be non-negative and ordered text <= first <= complete');
  }
  return { text, first, complete };
}

const program = new Command()
  .name('simulator')
  .description(
    'Local Suno-compatible music API (all five dialects on one port) that renders real media and sends webhooks.\n' +
      'Ids and media are deterministic: the same seed and the same requests give the same bytes.',
  )
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 = any free port)', parseNumber('port', { integer: true, max: 65535 }), 8788)
  .option('--api-key <key>', 'Bearer token clients must send', 'sim-key')
  .option('--seed <seed>', 'seed for task ids, lyrics and media', 'sim')
  .option('--clip-seconds <seconds>', 'length of each generated clip', parseNumber('clip seconds', { min: 0.1 }), 12)
  .addOption(
    new Option('--stage-delays <text,first,complete>', 'milliseconds from submit to each stage (lyrics use text)')
      .argParser(parseStageDelays)
      .default(DEFAULT_STAGE_DELAYS_MS, Object.values(DEFAULT_STAGE_DELAYS_MS).join(',')),
  )
  .option('--state-dir <dir>', 'keep accepted tasks here, so task ids still answer after a restart (default: memory only)')
  .option(
    '--media-dir <dir>',
    'cache rendered media here and keep it (default: <state-dir>/media, else a temporary dir removed on exit)',
  )
  .option('--public-url <url>', 'base URL for media links, when clients reach the simulator through another address')
  .option('--no-callbacks', 'never POST webhooks to callBackUrl (clients must poll)')
  .addOption(
    new Option('--error-status <mode>', 'HTTP status of error answers: mirror the envelope code, or always 200')
      .choices(['mirror', 'always-200'])
      .default('mirror'),
  )
  .option('--fault-rate <p>', 'probability that a request gets an injected fault (see --faults)', parseRate, 0)
  .option('--faults <list>', `faults to inject at random: ${REQUEST_FAULTS.join(',')}`, parseList(REQUEST_FAULTS), [...REQUEST_FAULTS])
  .addOption(new Option('--fault-on <target>', 'which requests random faults may hit').choices(['submit', 'query', 'any']).default('any'))
  .option('--callback-fault-rate <p>', 'probability that a webhook is delivered with a fault (see --callback-faults)', parseRate, 0)
  .option('--callback-faults <list>', `webhook faults: ${CALLBACK_FAULTS.join(',')}`, parseList(CALLBACK_FAULTS), [...CALLBACK_FAULTS])
  .option('--callback-delay-ms <ms>', 'how late a delayed or held webhook comes', parseNumber('callback delay', { integer: true }), 5000)
  .option('--hang-ms <ms>', "how long a 'hang' fault holds a request before dropping it", parseNumber('hang', { integer: true, min: 1 }), 120000)
  .option('--quiet', 'print only the URL, no event log')
  .addHelpText(
    'after',
    '\nRoutes: POST /suno/generate, POST /suno/generate-lyrics, GET /suno/query/task?taskId=,\n' +
      '        GET /suno/query/lyrics?taskId=, GET /media/<file>, GET /_sim/ledger (paid submits, no auth)\n' +
      '        (and the aimusicapi, newapi, acedata and cqt routes on the same port)\n' +
      '        GET /_sim/faults (what was injected), POST /_sim/faults {"rules":[{"fault":"hang","on":"submit","times":1}]}\n' +
      '\nFaults: throttled, unavailable, rejected, auth and billing answer in the dialect\'s error envelope; hang and cut\n' +
      'accept (and charge for) a submit but never deliver the answer. Random faults follow the seed.\n' +
      '\nExample:\n' +
      '  npm run simulator -- --port 8788 --api-key K --seed S --clip-seconds 6 --stage-delays 500,1000,2000 --no-callbacks\n' +
      '  npm run simulator -- --fault-rate 0.2 --faults throttled,unavailable,cut --callback-fault-rate 0.3',
  );

interface CliOptions {
  host: string;
  port: number;
  apiKey: string;
  seed: string;
  clipSeconds: number;
  stageDelays: StageDelaysMs;
  stateDir?: string;
  mediaDir?: string;
  publicUrl?: string;
  callbacks: boolean;
  errorStatus: 'mirror' | 'always-200';
  faultRate: number;
  faults: (typeof REQUEST_FAULTS)[number][];
  faultOn: 'submit' | 'query' | 'any';
  callbackFaultRate: number;
  callbackFaults: (typeof CALLBACK_FAULTS)[number][];
  callbackDelayMs: number;
  hangMs: number;
  quiet?: boolean;
}

function faultOptions(cli: CliOptions): FaultOptions {
  return {
    hangMs: cli.hangMs,
    random: cli.faultRate > 0 ? { rate: cli.faultRate, faults: cli.faults, on: cli.faultOn } : undefined,
    callbacks: cli.callbackFaultRate > 0 ? { rate: cli.callbackFaultRate, faults: cli.callbackFaults, delayMs: cli.callbackDelayMs } : undefined,
  };
}

async function main(): Promise<void> {
  const cli = program.parse().opts<CliOptions>();
  const simulator = await startSimulator({
    host: cli.host,
    port: cli.port,
    apiKey: cli.apiKey,
    seed: cli.seed,
    clipSeconds: cli.clipSeconds,
    stageDelaysMs: cli.stageDelays,
    stateDir: cli.stateDir,
    mediaDir: cli.mediaDir,
    publicUrl: cli.publicUrl,
    sendCallbacks: cli.callbacks,
    errorStatus: cli.errorStatus,
    faults: faultOptions(cli),
    log: cli.quiet ? undefined : (line) => console.error(`${new Date().toISOString()} ${line}`),
  });
  console.log(simulator.url);

  let stopping = false;
  const stop = (signal: string) => {
    // A second Ctrl-C while closing means "now".
    if (stopping) process.exit(130);
    stopping = true;
    if (!cli.quiet) console.error(`${signal}: closing simulator`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
