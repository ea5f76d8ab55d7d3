export default async function globalTeardown() {
  await globalThis.__KOMBO_SYNC_SERVICES__?.stop();
}
