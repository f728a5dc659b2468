import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Starts server.mjs as a child process and resolves with its URI. */
export const spawnEmbeddedMongo = async (args: string[] = []): Promise<{ uri: string; child: ChildProcess }> => {
  const script = join(__dirname, 'server.mjs');
  const child = spawn(process.execPath, [script, '--exit-with-parent', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('embedded MongoDB did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`embedded MongoDB exited with ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { uri: string }).uri);
    });
  });
  return { uri, child };
};
