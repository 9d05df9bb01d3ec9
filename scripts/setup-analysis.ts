// `npm run setup:analysis`: installs the audio analysis environment (librosa from PyPI, pinned in
// album/analysis/requirements.txt) into .tools/analysis, skipped when a current one is there.
// `--quiet` (npm test) prints only when it has to install.
import { ANALYSIS_PYTHON_ENV, installAnalysisEnv, librosaVersion } from '../album/analysis/analysisEnv';

const quiet = process.argv.includes('--quiet');
try {
  const python = await installAnalysisEnv((line) => console.log(line), { quiet });
  if (!quiet) console.log(`✓ librosa ${await librosaVersion(python)}: ${python}`);
} catch (err) {
  console.error(`✗ audio analysis: ${(err as Error).message} (or point ${ANALYSIS_PYTHON_ENV} at a Python that has librosa)`);
  process.exitCode = 1;
}
