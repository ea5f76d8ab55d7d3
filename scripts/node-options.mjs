// V8 settings the apps run with in production, as node command-line flags (`--initial-old-space-size` is not
// allowed in NODE_OPTIONS): `node <flags> apps/<app>/dist/main.mjs`. docker-compose.yml repeats them; `npm start`
// and the benchmarks take them from here, so what is measured is what is deployed (README, "Memory").

/**
 * Worker: a 256 MiB old-generation cap bounds its memory however large the integration. With only the cap, V8 sets
 * its first major-GC limit low and a sync's ~30 MiB live set triggered ten times more mark-compacts (+45% CPU per
 * record); starting the limit at 128 MiB keeps the cap without that cost.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=256', '--initial-old-space-size=128'];

/** Ingress: a larger young generation; a webhook allocates little, but at thousands per second scavenges add up. */
export const INGRESS_NODE_FLAGS = ['--max-semi-space-size=32'];
