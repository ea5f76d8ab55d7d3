export const MODEL_TABLES: readonly string[];
