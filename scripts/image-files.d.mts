export const IMAGE_APP_DIR: string;
export const IMAGE_COMMANDS: Readonly<Record<string, { bundle: string; nodeFlags: readonly string[] }>>;
export const HEALTH_PROBES: Readonly<
  Record<'ingress' | 'worker' | 'dashboard', { portVariable: string; defaultPort: number; path: string }>
>;
export function entrypointScript(): string;
export function healthcheckScript(): string;
export function writeImageFiles(out: string): void;
