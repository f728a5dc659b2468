import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface EmbeddedMongoOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Restore from and save to this EJSON file (see server.mjs); none keeps the data in memory. */
  dataFile?: string;
}

export interface EmbeddedMongo {
  uri: string;
  child: ChildProcess;
  /** SIGTERM (the server saves, then exits); SIGKILL if it is still running after 10 s. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

const stopChild = (child: ChildProcess) => (): Promise<void> =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
  });

/**
 * Starts server.mjs as a child process and resolves with its URI once it listens.
 * The child gets a piped stdin and --exit-with-parent, so it saves and exits
 * when the parent (jest, npm start, the CLI, a benchmark) dies.
 */
export const spawnEmbeddedMongo = async (options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> => {
  const args = [
    '--port',
    String(options.port ?? 0),
    ...(options.dataFile ? ['--data', options.dataFile] : []),
    '--exit-with-parent',
  ];
  const child = spawn(process.execPath, [join(__dirname, 'server.mjs'), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('embedded MongoDB did not start within 20 s'));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded MongoDB exited with code ${code}`));
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { uri: string }).uri);
    });
  });
  return { uri, child, stop: stopChild(child) };
};
