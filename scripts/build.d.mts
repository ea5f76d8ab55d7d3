export const APPS: readonly string[];
export function buildApps(apps?: readonly string[]): Promise<void>;
