import { getModel, type ModelName } from '@kombo-sync/catalog';

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A single-quoted SQL string literal. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The model's table name, quoted; throws for a name outside the catalog. */
export function tableIdent(model: ModelName): string {
  return ident(getModel(model).name);
}
