// The small process that starts ffmpeg and ffprobe for a big one (runtime/toolRunner.ts). It is forked
// once; each message asks it to run one tool ({ id, binary, args, stdin }), and its answer carries what
// the tool printed and how it exited ({ id, code, signal, stdout, stderr }, or { id, startError }). It
// ends with its parent, when the IPC channel closes. Plain JavaScript: it starts without a loader, from
// any working directory.
import { spawn } from 'node:child_process';

function run(request) {
  const reply = (answer) => process.send?.({ id: request.id, ...answer });
  const child = spawn(request.binary, request.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout = [];
  const stderr = [];
  child.stdout.on('data', (chunk) => stdout.push(chunk));
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  // A tool that exits early closes its stdin; the resulting EPIPE is reported through the exit code.
  child.stdin.on('error', () => {});
  let answered = false;
  child.on('error', (error) => {
    if (answered) return;
    answered = true;
    reply({ startError: error.message });
  });
  child.on('close', (code, signal) => {
    if (answered) return;
    answered = true;
    reply({ code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) });
  });
  child.stdin.end(request.stdin ? Buffer.from(request.stdin) : undefined);
}

process.on('message', run);
process.on('disconnect', () => process.exit(0));
