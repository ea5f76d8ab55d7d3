import { getModel, type ModelName } from './index.js';
import { UNTRACKED_EMBEDS } from './untracked-embeds.js';

/** The models a model's records carry copies of, directly or inside an embedded copy. */
function embeddedClosure(model: ModelName, seen = new Set<string>()): Set<string> {
  for (const child of (getModel(model) as { embeds?: readonly string[] }).embeds ?? []) {
    if (seen.has(child)) continue;
    seen.add(child);
    embeddedClosure(child as ModelName, seen);
  }
  return seen;
}

describe('UNTRACKED_EMBEDS', () => {
  it.each(UNTRACKED_EMBEDS.map((embed) => [embed.parent, embed.child, embed] as const))(
    '%s embeds %s through a column of the right type',
    (parent, child, embed) => {
      expect(embeddedClosure(parent).has(child)).toBe(true);
      const field = (getModel(parent).fields as Record<string, { type: string }>)[embed.column];
      expect(field?.type).toBe(embed.path === undefined ? 'text' : 'json');
    },
  );

  it('lists each parent, child and column once', () => {
    const keys = UNTRACKED_EMBEDS.map((embed) => `${embed.parent}/${embed.child}/${embed.column}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
