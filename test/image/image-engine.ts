// Test support for `npm run test:image` (not production code): builds the Dockerfile and runs the image's commands
// against services on this machine, with a Docker engine when one answers, else with buildah (root, chroot
// isolation, vfs storage, the host's network), as ../shared/IMAGES.md describes. Where the base image cannot be
// pulled (no registry), a stand-in is made locally: Debian bookworm (debootstrap, minbase) plus this machine's node
// and npm, tagged with the Dockerfile's base name. It stands in for the official node:20-bookworm-slim only so the
// unchanged Dockerfile builds here; sizes above it are what the Dockerfile adds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The image's configuration, as `docker inspect` shows it. */
export interface ImageConfig {
  Entrypoint: string[] | null;
  Cmd: string[] | null;
  Env: string[];
  User: string;
  WorkingDir: string;
  Labels: Record<string, string> | null;
  Healthcheck?: { Test: string[] } | null;
}

/** A command of the image running in the foreground. */
export interface ImageProcess {
  readonly name: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The output so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` to the app inside (the image's PID 1 under Docker). */
  signal(signal: NodeJS.Signals): void;
}

export interface ImageEngine {
  readonly kind: 'docker' | 'buildah';
  /** Makes sure `base` is there: present, pulled, or (buildah) a local stand-in. Returns how. */
  ensureBase(base: string): 'present' | 'pulled' | 'stand-in';
  /** Builds the repository's Dockerfile as `tag`; the build log goes to `logFile`. */
  build(tag: string, options: { logFile: string; buildArgs?: Record<string, string>; caFile?: string }): void;
  config(tag: string): ImageConfig;
  /** Size of the image in bytes, as the engine stores it (uncompressed). */
  sizeBytes(tag: string): number;
  /** Runs the image's entrypoint with `args` (what `docker run IMAGE args` runs), host network, `env` added. */
  run(tag: string, name: string, args: string[], env: Record<string, string>): ImageProcess;
  /** Runs `command` in the image without its entrypoint, as the image's user; returns its exit code and output. */
  exec(tag: string, command: string[], env?: Record<string, string>): { code: number | null; output: string };
  /** Removes `tag` and every container made from it. */
  remove(tag: string): void;
}

function run(cmd: string, args: string[], options: { input?: string; quiet?: boolean } = {}) {
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    input: options.input,
  });
  if (result.status !== 0 && !options.quiet) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${result.status}): ${(result.stderr || result.stdout).slice(-4000)}`,
    );
  }
  return result;
}

function which(command: string): string | null {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** Docker when an engine answers `docker info`, else buildah. */
export function chooseEngineKind(): 'docker' | 'buildah' {
  return which('docker') && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0
    ? 'docker'
    : 'buildah';
}

function startProcess(name: string, child: ChildProcess, signal: (s: NodeJS.Signals) => void): ImageProcess {
  let output = '';
  child.stdout
    ?.setEncoding('utf8')
    .on('data', (chunk: string) => (output = (output + chunk).slice(-200_000)));
  child.stderr
    ?.setEncoding('utf8')
    .on('data', (chunk: string) => (output = (output + chunk).slice(-200_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, sig) => resolve({ code, signal: sig })),
  );
  return { name, exited, output: () => output, signal };
}

const envArgs = (env: Record<string, string>) =>
  Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);

export function createDockerEngine(): ImageEngine {
  let runs = 0;
  const containers: string[] = [];
  return {
    kind: 'docker',
    ensureBase(base) {
      if (run('docker', ['image', 'inspect', base], { quiet: true }).status === 0) return 'present';
      run('docker', ['pull', base]);
      return 'pulled';
    },
    build(tag, { logFile, buildArgs = {}, caFile }) {
      const args = [
        'build',
        '--network',
        'host',
        '-t',
        tag,
        ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
      ];
      // Docker cannot mount into a RUN step from the CLI: the CA bundle goes in as a build secret-free copy.
      if (caFile)
        throw new Error('a CA bundle with Docker: put it into the build context and pass npm_config_cafile');
      const result = spawnSync(
        'sh',
        ['-c', `docker ${args.map((a) => `'${a}'`).join(' ')} . > '${logFile}' 2>&1`],
        { cwd: ROOT },
      );
      if (result.status !== 0) throw new Error(`docker build failed; see ${logFile}`);
    },
    config(tag) {
      return (JSON.parse(run('docker', ['image', 'inspect', tag]).stdout) as { Config: ImageConfig }[])[0]!
        .Config;
    },
    sizeBytes(tag) {
      return Number(run('docker', ['image', 'inspect', '--format', '{{.Size}}', tag]).stdout.trim());
    },
    run(tag, name, args, env) {
      const container = `kombo-sync-image-test-${process.pid}-${++runs}`;
      containers.push(container);
      const child = spawn(
        'docker',
        ['run', '--rm', '--name', container, '--network', 'host', ...envArgs(env), tag, ...args],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      return startProcess(
        name,
        child,
        (signal) => void spawnSync('docker', ['kill', '--signal', signal, container]),
      );
    },
    exec(tag, command, env = {}) {
      const result = spawnSync(
        'docker',
        [
          'run',
          '--rm',
          '--network',
          'host',
          '--entrypoint',
          command[0]!,
          ...envArgs(env),
          tag,
          ...command.slice(1),
        ],
        { encoding: 'utf8' },
      );
      return { code: result.status, output: result.stdout + result.stderr };
    },
    remove(tag) {
      for (const container of containers) spawnSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
      spawnSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
    },
  };
}

/** The pids of `pid`'s descendants, from /proc. */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      /* gone */
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

export function createBuildahEngine(): ImageEngine {
  const buildah = (args: string[], options?: { quiet?: boolean }) =>
    run('buildah', ['--storage-driver', 'vfs', ...args], options);
  /** One working container per image, shared by every run: vfs copies the whole image for each container. */
  const containers = new Map<string, string>();
  const containerOf = (tag: string) => {
    let container = containers.get(tag);
    if (!container) {
      container = buildah(['from', '--pull-never', tag]).stdout.trim();
      containers.set(tag, container);
    }
    return container;
  };
  /** `buildah run` of `command` in the image's container, as the image's user, on this machine's network. */
  const runArgv = (tag: string, command: string[], env: Record<string, string>) => [
    '--storage-driver',
    'vfs',
    'run',
    '--isolation',
    'chroot',
    '--network',
    'host',
    '--user',
    engine.config(tag).User,
    ...envArgs(env),
    containerOf(tag),
    '--',
    ...command,
  ];
  const engine: ImageEngine = {
    kind: 'buildah',
    ensureBase(base) {
      if (buildah(['inspect', '--type', 'image', base], { quiet: true }).status === 0) return 'present';
      if (buildah(['pull', base], { quiet: true }).status === 0) return 'pulled';
      makeStandInBase(base);
      return 'stand-in';
    },
    build(tag, { logFile, buildArgs = {}, caFile }) {
      const args = [
        '--storage-driver',
        'vfs',
        'bud',
        '--format',
        'docker',
        '--isolation',
        'chroot',
        '--network',
        'host',
        '--pull-never',
        '-t',
        tag,
        ...(caFile
          ? [
              '-v',
              `${caFile}:/tmp/kombo-sync-ca.pem:ro`,
              '--build-arg',
              'npm_config_cafile=/tmp/kombo-sync-ca.pem',
            ]
          : []),
        ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        '.',
      ];
      const result = spawnSync(
        'sh',
        ['-c', `buildah ${args.map((a) => `'${a}'`).join(' ')} > '${logFile}' 2>&1`],
        { cwd: ROOT },
      );
      if (result.status !== 0)
        throw new Error(`buildah bud failed; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
    },
    config(tag) {
      const inspected = JSON.parse(buildah(['inspect', '--type', 'image', tag]).stdout) as {
        Docker: { config: ImageConfig };
      };
      return inspected.Docker.config;
    },
    sizeBytes(tag) {
      // containers/storage prints decimal units with three significant digits, e.g. "308 MB".
      const [size] = JSON.parse(buildah(['images', '--json', tag]).stdout) as { size: string }[];
      const match = /^([\d.]+)\s*([kMG]?B)$/i.exec(size!.size.trim());
      if (!match) throw new Error(`unexpected image size ${size!.size}`);
      const unit = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 }[match[2]!.toUpperCase() as 'B' | 'KB' | 'MB' | 'GB'];
      return Math.round(Number(match[1]) * unit);
    },
    run(tag, name, args, env) {
      const child = spawn('buildah', runArgv(tag, [...(engine.config(tag).Entrypoint ?? []), ...args], env), {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // buildah run does not hand signals on: signal the app (the image's node process) itself.
      return startProcess(name, child, (signal) => {
        for (const pid of descendantsOf(child.pid!)) {
          try {
            if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]?.endsWith('node'))
              process.kill(pid, signal);
          } catch {
            /* gone */
          }
        }
      });
    },
    exec(tag, command, env = {}) {
      const result = spawnSync('buildah', runArgv(tag, command, env), { encoding: 'utf8' });
      return { code: result.status, output: result.stdout + result.stderr };
    },
    remove(tag) {
      const container = containers.get(tag);
      if (container) buildah(['rm', container], { quiet: true });
      containers.delete(tag);
      buildah(['rmi', '-f', tag], { quiet: true });
    },
  };
  return engine;
}

/** Debian bookworm (minbase) + this machine's node and npm, committed as `base` (see the header). About a minute. */
function makeStandInBase(base: string): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'kombo-sync-base-'));
  const root = path.join(dir, 'rootfs');
  try {
    run('debootstrap', ['--variant=minbase', 'bookworm', root, debianMirror()]);
    const node = which('node')!;
    mkdirSync(path.join(root, 'usr/local/bin'), { recursive: true });
    cpSync(realpathSync(node), path.join(root, 'usr/local/bin/node'));
    const npmDir = path.dirname(path.dirname(realpathSync(which('npm')!)));
    cpSync(npmDir, path.join(root, 'usr/lib/node_modules/npm'), { recursive: true });
    symlinkSync('/usr/lib/node_modules/npm/bin/npm-cli.js', path.join(root, 'usr/local/bin/npm'));
    // The official image's apt lists and caches are empty; so are the stand-in's.
    rmSync(path.join(root, 'var/cache/apt'), { recursive: true, force: true });
    rmSync(path.join(root, 'var/lib/apt/lists'), { recursive: true, force: true });
    const buildah = (args: string[]) => run('buildah', ['--storage-driver', 'vfs', ...args]).stdout.trim();
    const container = buildah(['from', 'scratch']);
    buildah(['copy', container, root, '/']);
    buildah([
      'config',
      '--env',
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--cmd',
      'node',
      container,
    ]);
    buildah(['commit', '--rm', container, base]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Debian mirror this machine's apt uses for bookworm (deb822 or one-line sources), else deb.debian.org. */
function debianMirror(): string {
  const dir = '/etc/apt/sources.list.d';
  const files = [
    '/etc/apt/sources.list',
    ...(existsSync(dir) ? readdirSync(dir).map((name) => path.join(dir, name)) : []),
  ];
  for (const file of files.filter((name) => /(\.list|\.sources)$/.test(name) && existsSync(name))) {
    const text = readFileSync(file, 'utf8');
    for (const stanza of text.split(/\n\s*\n/)) {
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      if (uri && /^Suites:.*\bbookworm\b(?!-)/m.test(stanza) && !uri.includes('security')) return uri;
    }
    const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (line?.[1]) return line[1];
  }
  return 'http://deb.debian.org/debian';
}
