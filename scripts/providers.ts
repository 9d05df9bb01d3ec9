// `npm run providers`: which steps each provider dialect offers, whether it calls back, whether it
// can poll many tasks at once, and its newest model.
import { badInputExitsWith2 } from '../client/exitCodes';
import { Command } from 'commander';
import { capabilityMatrix, renderMarkdown, renderText } from '../providers/capabilities';
import { adapterFor, availableProviders } from '../providers/registry';

const program = new Command('providers')
  .description('Print the steps each provider offers (✓) or lacks (–), with callbacks, batch polling and the latest model.')
  .option('--json', 'print the matrix as JSON')
  .option('--markdown', 'print the matrix as a Markdown table (for the README)');

function main(): void {
  badInputExitsWith2(program).parse();
  const opts = program.opts<{ json?: boolean; markdown?: boolean }>();
  const matrix = capabilityMatrix(availableProviders().map(adapterFor));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(matrix, null, 2)}\n`);
  } else {
    process.stdout.write(`${opts.markdown ? renderMarkdown(matrix) : renderText(matrix)}\n`);
  }
}

main();
