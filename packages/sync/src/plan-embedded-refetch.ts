import { UNTRACKED_EMBEDS, type ModelName, type UntrackedEmbed } from '@kombo-sync/catalog';

/** Where to look for the parents holding stale copies of some changed children. */
export interface EmbeddedParentLookup {
  readonly embed: UntrackedEmbed;
  /** The changed children, de-duplicated, in first-seen order. */
  readonly childIds: readonly string[];
}

export interface PlanEmbeddedRefetchOptions {
  /**
   * Whether the parent model is worth looking at, e.g. it has been synced before (no rows otherwise) and was not
   * read whole by this run after its children.
   */
  readonly isParentEligible: (parent: ModelName) => boolean;
  /** The embeddings to consider. Default: the catalog's `UNTRACKED_EMBEDS`. */
  readonly embeds?: readonly UntrackedEmbed[];
}

/**
 * Which parents to look up for the given changed (or deleted) child ids, per model: one lookup per untracked
 * embedding whose child changed and whose parent is eligible. Pure: the store resolves the lookups to parent ids.
 */
export function planEmbeddedRefetch(
  changed: ReadonlyMap<ModelName, Iterable<string>>,
  options: PlanEmbeddedRefetchOptions,
): EmbeddedParentLookup[] {
  const lookups: EmbeddedParentLookup[] = [];
  for (const embed of options.embeds ?? UNTRACKED_EMBEDS) {
    const ids = changed.get(embed.child);
    if (!ids || !options.isParentEligible(embed.parent)) continue;
    const childIds = [...new Set(ids)];
    if (childIds.length > 0) lookups.push({ embed, childIds });
  }
  return lookups;
}

/**
 * The parent ids of `model` still to fetch: `found` minus those already refetched in this run (a parent named by
 * two children is asked for once), in chunks of at most `maxIdsPerRequest`.
 */
export function chunkParentIds(
  found: Iterable<string>,
  alreadyFetched: ReadonlySet<string>,
  maxIdsPerRequest: number,
): string[][] {
  const ids = [...new Set(found)].filter((id) => !alreadyFetched.has(id));
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += maxIdsPerRequest) {
    chunks.push(ids.slice(start, start + maxIdsPerRequest));
  }
  return chunks;
}

/**
 * The child models of `embeds` in refresh order, as levels: a level's models are children only, or parents of
 * earlier levels' models only. Refetching a parent can change it, and so make it a changed child: handling level by
 * level, a model's changed ids are all known when its level starts, and a parent refetched within a level is fresh
 * for every child of that level. Throws on a cycle (no order exists).
 */
export function embeddedChildLevels(embeds: readonly UntrackedEmbed[] = UNTRACKED_EMBEDS): ModelName[][] {
  const childrenOf = new Map<ModelName, Set<ModelName>>();
  for (const { parent, child } of embeds) {
    const children = childrenOf.get(parent) ?? new Set<ModelName>();
    children.add(child);
    childrenOf.set(parent, children);
  }
  const levelOf = new Map<ModelName, number>();
  const visiting = new Set<ModelName>();
  const level = (model: ModelName): number => {
    const known = levelOf.get(model);
    if (known !== undefined) return known;
    if (visiting.has(model)) throw new Error(`untracked embeds form a cycle through ${model}`);
    visiting.add(model);
    let result = 0;
    for (const child of childrenOf.get(model) ?? []) result = Math.max(result, level(child) + 1);
    visiting.delete(model);
    levelOf.set(model, result);
    return result;
  };
  const levels: ModelName[][] = [];
  for (const child of new Set(embeds.map((embed) => embed.child))) {
    const at = level(child);
    while (levels.length <= at) levels.push([]);
    levels[at]?.push(child);
  }
  return levels.filter((models) => models.length > 0).map((models) => models.sort());
}
