import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/**
 * Starts a server instance without HTTP (`rotation-worker.ts`: the real `AppModule`, configured
 * by `env`) in a child process; `ready` resolves once its job workers have started.
 */
export function startWorker(env: Record<string, string>): {
  child: ChildProcess;
  ready: Promise<void>;
} {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'test/support/rotation-worker.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  const ready = new Promise<void>((resolveReady, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('ready')) {
        resolveReady();
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the worker exited before it was ready (${code ?? signal}): ${errors}`)),
    );
  });
  return { child, ready };
}

/** Sends `signal` and waits for the process to exit. */
export function stopWorker(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill(signal);
  return exited;
}
