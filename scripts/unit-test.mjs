// The unit tests of one workspace package (its `test` script, run and cached by turbo), or of the given folders:
// jest with the root jest.config.js, limited to `*.test.ts` files under those folders that are not `*.int.test.ts`,
// and without the global setup that starts Postgres/Redis. The integration tests run in the root `npm test`.
//   node ../../scripts/unit-test.mjs            from a package: that package's unit tests
//   node scripts/unit-test.mjs test examples    from the root: the unit tests in those folders
// Further `--` arguments go to jest.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, runJestAndExit } from './bootstrap.mjs';

const { default: rootConfig } = await import(pathToFileURL(path.join(ROOT, 'jest.config.js')).href);

const separator = process.argv.indexOf('--');
const folders = separator === -1 ? process.argv.slice(2) : process.argv.slice(2, separator);
const jestArgs = separator === -1 ? [] : process.argv.slice(separator + 1);
const roots = (folders.length > 0 ? folders : ['.']).map((folder) => path.resolve(folder));

const { globalSetup: _setup, globalTeardown: _teardown, ...config } = rootConfig;
const unitConfig = {
  ...config,
  rootDir: ROOT,
  roots,
  testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$'],
};

runJestAndExit(['--config', JSON.stringify(unitConfig), '--passWithNoTests', ...jestArgs]);
