// Test support (not production code): spawns fleet processes (`tsx <entry>`) with an explicit environment, keeps
// the tail of their output for failure diagnostics, SIGKILLs and restarts them, and proves none is left behind.
// Each process is the leader of its own process group: tsx runs the script in a child node process, so signals go
// to the whole group (-pid), never by name.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testServices } from '@kombo-sync/config/testing';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

export interface FleetProcessOptions {
  /** Label for diagnostics, e.g. `worker-2`. */
  name: string;
  /** Entry file relative to the repo root, e.g. `apps/worker/src/main.ts`. */
  entry: string;
  /** The process's whole environment besides PATH and HOME (process.env is not inherited). */
  env: Record<string, string>;
  /** Lines of stdout+stderr kept for diagnostics. Default 60. */
  tailLines?: number;
}

export interface FleetExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface FleetProcess {
  readonly name: string;
  /** Pid of the tsx process, also the id of its process group. */
  readonly pid: number;
  readonly options: FleetProcessOptions;
  /** Resolves when the tsx process exited. */
  readonly exited: Promise<FleetExit>;
  isRunning(): boolean;
  /** The last output lines (stdout and stderr interleaved), newest last. */
  tail(): string;
  /** Sends `signal` to the process group and waits (up to `timeoutMs`, default 10 s) until the group is gone. */
  kill(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

/** True while process `pid` is alive. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True while any process of group `pgid` is alive. */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** Spawns `tsx <entry>` in its own process group. */
export function spawnFleetProcess(options: FleetProcessOptions): FleetProcess {
  const tailLines = options.tailLines ?? 60;
  const lines: string[] = [];
  const child: ChildProcess = spawn(TSX, [options.entry], {
    cwd: ROOT,
    env: {
      ...testServices().processEnv,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`${options.name}: spawn failed`);
  const pid = child.pid;
  let isExited = false;
  const exited = new Promise<FleetExit>((resolve) => {
    child.once('exit', (code, signal) => {
      isExited = true;
      resolve({ code, signal });
    });
  });
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
      if (lines.length > tailLines) lines.shift();
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return {
    name: options.name,
    pid,
    options,
    exited,
    isRunning: () => !isExited,
    tail: () => lines.join('\n'),
    async kill(signal = 'SIGKILL', timeoutMs = 10_000) {
      try {
        process.kill(-pid, signal);
      } catch {
        /* the group is already gone */
      }
      const isGone = await waitUntil(() => isExited && !isGroupAlive(pid), timeoutMs);
      if (!isGone)
        throw new Error(`${options.name} (pgid ${pid}) still alive ${timeoutMs} ms after ${signal}`);
    },
  };
}

/**
 * Polls `url` until it answers 2xx (bounded), failing early with the output tail when `proc` exits first.
 */
export async function waitForHttp(
  url: string,
  {
    proc,
    headers = {},
    timeoutMs = 30_000,
  }: { proc?: FleetProcess; headers?: Record<string, string>; timeoutMs?: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && !proc.isRunning()) {
      throw new Error(`${proc.name} exited before ${url} answered:\n${proc.tail()}`);
    }
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      throw new Error(`${url} did not answer within ${timeoutMs} ms${proc ? `:\n${proc.tail()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A set of fleet processes: spawn, replace, stop all, and prove that none is left. */
export class Fleet {
  private readonly processes = new Map<string, FleetProcess>();
  /** Every process group this fleet ever started (for the leftover check). */
  private readonly groups = new Set<number>();

  start(options: FleetProcessOptions): FleetProcess {
    if (this.processes.get(options.name)?.isRunning()) throw new Error(`${options.name} is already running`);
    // Last resort when the test process exits without stopAll() (e.g. a jest timeout): detached groups would live on.
    if (this.groups.size === 0) process.once('exit', () => this.killAllNow());
    const proc = spawnFleetProcess(options);
    this.processes.set(options.name, proc);
    this.groups.add(proc.pid);
    return proc;
  }

  get(name: string): FleetProcess {
    const proc = this.processes.get(name);
    if (!proc) throw new Error(`no fleet process ${name}`);
    return proc;
  }

  list(): FleetProcess[] {
    return [...this.processes.values()];
  }

  /** SIGKILLs every process group (in parallel) and waits until they are gone. */
  async stopAll(): Promise<void> {
    await Promise.all(this.list().map((proc) => proc.kill('SIGKILL')));
  }

  /** Synchronous SIGKILL of every group still alive (for an `exit` handler). */
  killAllNow(): void {
    for (const pgid of this.leftovers()) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
    }
  }

  /** Process groups started by this fleet that still have a live process (empty after {@link stopAll}). */
  leftovers(): number[] {
    return [...this.groups].filter(isGroupAlive);
  }

  /** Output tails of every process, for a failure message. */
  tails(): string {
    return this.list()
      .map(
        (proc) =>
          `--- ${proc.name} (pid ${proc.pid}, ${proc.isRunning() ? 'running' : 'exited'})\n${proc.tail()}`,
      )
      .join('\n');
  }
}
