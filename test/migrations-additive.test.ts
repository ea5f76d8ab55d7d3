// Migrations only add, so the previous release keeps running on the new schema during a rolling deploy (README,
// "Upgrades"). A statement that removes, renames or narrows what an older release reads or writes needs two
// releases instead: stop using it, then remove it. Such a statement is allowed only after a line
// `-- contract: <why the release before no longer uses it>`.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DRIZZLE = path.resolve(import.meta.dirname, '..', 'drizzle');
const CONTRACTING = [
  /\bDROP\s+(TABLE|COLUMN|INDEX|TYPE|SCHEMA|VIEW|CONSTRAINT)\b/i,
  /\bRENAME\b/i,
  /\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b/i,
  /\bSET\s+NOT\s+NULL\b/i,
];

describe('migrations', () => {
  it('only add (or say why a contracting statement is safe)', () => {
    const offending: string[] = [];
    for (const file of readdirSync(DRIZZLE).filter((name) => name.endsWith('.sql'))) {
      const statements = readFileSync(path.join(DRIZZLE, file), 'utf8').split('--> statement-breakpoint');
      for (const statement of statements) {
        if (/^\s*-- contract: \S/m.test(statement)) continue;
        const code = statement.replace(/--.*$/gm, '');
        if (CONTRACTING.some((pattern) => pattern.test(code)))
          offending.push(`${file}: ${code.trim().slice(0, 120)}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
