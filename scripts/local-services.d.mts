export class LocalServiceError extends Error {}
export function freePort(): Promise<number>;
export interface LocalRedis {
  url: string;
  port: number;
  pid: number;
  dir: string;
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}
export function startRedis(opts?: {
  port?: number;
  dir?: string;
  appendonly?: boolean;
  /** `requirepass`; the returned `url` carries no credentials. */
  password?: string;
  log?: (msg: string) => void;
}): Promise<LocalRedis>;
export interface LocalRedisCluster {
  /** `redis+cluster://127.0.0.1:P1,127.0.0.1:P2,…`: REDIS_URL for the fleet. */
  url: string;
  /** Each master in creation order; `url` is a standalone `redis://` URL of that node alone. */
  nodes: { port: number; pid: number; url: string }[];
  dir: string;
  stop(): Promise<void>;
}
export function startRedisCluster(opts?: {
  masters?: number;
  /** `requirepass` and `masterauth` of every node; the URLs carry no credentials. */
  password?: string;
  log?: (msg: string) => void;
}): Promise<LocalRedisCluster>;
export function startPostgres(opts?: { port?: number; log?: (msg: string) => void }): Promise<{
  url: string;
  port: number;
  dir: string;
  restart(opts?: { downMs?: number; mode?: 'fast' | 'immediate' }): Promise<void>;
  stop(): Promise<void>;
}>;
export function startLocalServices(opts?: {
  env?: Record<string, string | undefined>;
  log?: (msg: string) => void;
}): Promise<{ env: { DATABASE_URL: string; REDIS_URL: string }; started: number; stop(): Promise<void> }>;
export function canConnect(port: number): Promise<boolean>;
export function readPidFile(pidfile: string): number | null;
export const CHROMIUM_PATH: string;
export type Tool = 'redis' | 'postgres' | 'chromium' | 'ps' | 'promtool' | 'buildah' | 'debootstrap';
export function ensureTools(names: Tool[], opts?: { log?: (msg: string) => void }): void;
export function ensureToolsOrExit(names: Tool[]): void;
export function localServerTools(env?: NodeJS.ProcessEnv): Tool[];
