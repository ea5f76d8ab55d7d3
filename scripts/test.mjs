// `npm test`: installs dependencies and the machine tools the suites drive when missing (Chromium for the browser
// tests; `ps` for the checks that nothing is left running; promtool for the alert rule tests; redis-server and PostgreSQL when REDIS_URL / DATABASE_URL
// are unset), or stops at once saying what to install; then runs jest. Jest's global setup (test/global-setup.mjs) starts throwaway Postgres/Redis when
// DATABASE_URL / REDIS_URL are unset and applies migrations.
import { ensureDependencies, runJestAndExit } from './bootstrap.mjs';
import { ensureToolsOrExit, localServerTools } from './local-services.mjs';

ensureDependencies();
ensureToolsOrExit(['chromium', 'ps', 'promtool', ...localServerTools()]);
runJestAndExit(process.argv.slice(2));
