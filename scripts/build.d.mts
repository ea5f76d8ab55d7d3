export const APPS: readonly string[];
export const BUNDLES: Readonly<Record<string, { workspace: string; entry: string; outfile: string }>>;
export function buildApps(names?: readonly string[]): Promise<void>;
