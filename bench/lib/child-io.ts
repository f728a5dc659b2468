/**
 * The child's side of child-process.ts: marks to the parent, the stop request,
 * peak RSS. Kept apart so a measured child loads nothing the parent needs
 * (esbuild, the fakes).
 */
import type { ToChild, ToParent } from './child-process';

/** Inside a child: what a task may do besides computing its result. */
export interface TaskIo {
  /** Tells the parent something happened and waits until it has acted on it. */
  mark(name: string, data?: unknown): Promise<void>;
  /** Resolves when the parent asks the task to stop. */
  stopped: Promise<void>;
}

export const childIo = (): TaskIo & { onMessage(m: unknown): void } => {
  const acks: Array<() => void> = [];
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((r) => {
    stop = r;
  });
  return {
    stopped,
    mark: (name, data) =>
      new Promise<void>((resolve) => {
        acks.push(resolve);
        process.send?.({ kind: 'mark', name, data } satisfies ToParent);
      }),
    onMessage: (raw) => {
      const m = raw as ToChild;
      if (m.kind === 'ack') acks.shift()?.();
      if (m.kind === 'stop') stop();
    },
  };
};

/** Peak resident set size of this process so far, MB (the kernel's maxRSS). */
export const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
