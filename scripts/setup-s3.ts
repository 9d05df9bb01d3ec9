// `npm run setup:s3`: installs versitygw, the S3-compatible server the tests run the artifact store
// against, into .tools/bin (skipped when it is already there). `--quiet` (npm test) prints only
// when it has to build.
import { installVersitygw, VERSITYGW_GO_VERSION, VERSITYGW_PATH_ENV } from '../runtime/versitygw';

try {
  const found = await installVersitygw((line) => console.log(line));
  if (!process.argv.includes('--quiet')) console.log(`✓ versitygw ${VERSITYGW_GO_VERSION}: ${found}`);
} catch (err) {
  console.error(`✗ versitygw: ${(err as Error).message} (or point ${VERSITYGW_PATH_ENV} at a versitygw binary)`);
  process.exitCode = 1;
}
