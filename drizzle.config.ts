import { defineConfig } from 'drizzle-kit';

/** `npm run db:generate` diffs packages/db's schema against the committed migrations in ./drizzle. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/db/src/schema/*.ts',
  out: './drizzle',
});
