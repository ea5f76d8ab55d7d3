// `npm run test:image`: builds the production image from the Dockerfile and runs it (test/image). Installs what it
// needs like `npm test`: dependencies; redis-server and PostgreSQL unless REDIS_URL / DATABASE_URL are set; and,
// without a Docker engine, buildah and debootstrap (apt on Debian as root, else it says what to install).
import { spawnSync } from 'node:child_process';
import { ensureDependencies, runJestAndExit } from './bootstrap.mjs';
import { ensureToolsOrExit, localServerTools } from './local-services.mjs';

ensureDependencies();
const hasDockerEngine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
ensureToolsOrExit([...(hasDockerEngine ? [] : ['buildah', 'debootstrap']), ...localServerTools()]);
runJestAndExit([
  '--runInBand',
  '--testMatch',
  '<rootDir>/test/image/*.image-test.ts',
  ...process.argv.slice(2),
]);
