import { UNTRACKED_EMBEDS, type ModelName, type UntrackedEmbed } from '@kombo-sync/catalog';
import { chunkParentIds, embeddedChildLevels, planEmbeddedRefetch } from './plan-embedded-refetch.js';

const changed = (entries: [ModelName, string[]][]) => new Map<ModelName, string[]>(entries);

describe('planEmbeddedRefetch', () => {
  it('looks up the applications (by candidate_id) of candidates whose tags changed', () => {
    const lookups = planEmbeddedRefetch(changed([['ats_candidates', ['c1', 'c2', 'c1']]]), {
      isParentEligible: () => true,
    });
    expect(lookups).toContainEqual({
      embed: { parent: 'ats_applications', child: 'ats_candidates', column: 'candidate_id' },
      childIds: ['c1', 'c2'],
    });
    // Interviews and offers carry the candidate inside their application copy.
    expect(lookups.map((lookup) => lookup.embed.parent).sort()).toEqual([
      'ats_applications',
      'ats_interviews',
      'ats_offers',
    ]);
  });

  it('looks up the jobs holding a renamed stage, and the candidates holding it as current stage', () => {
    const lookups = planEmbeddedRefetch(changed([['ats_application_stages', ['s1']]]), {
      isParentEligible: () => true,
    });
    expect(lookups).toEqual([
      {
        embed: {
          parent: 'ats_candidates',
          child: 'ats_application_stages',
          column: 'applications',
          path: '$[*].current_stage.id',
        },
        childIds: ['s1'],
      },
      {
        embed: { parent: 'ats_jobs', child: 'ats_application_stages', column: 'stages', path: '$[*].id' },
        childIds: ['s1'],
      },
    ]);
  });

  it('skips parents that are not eligible, children without changes and models nothing embeds untracked', () => {
    expect(
      planEmbeddedRefetch(
        changed([
          ['ats_candidates', ['c1']],
          ['ats_tags', []],
          ['ats_rejection_reasons', ['r1']],
        ]),
        { isParentEligible: (parent) => parent !== 'ats_applications' && parent !== 'ats_offers' },
      ).map((lookup) => lookup.embed.parent),
    ).toEqual(['ats_interviews']);
  });

  it('uses the embeddings given', () => {
    const embeds: UntrackedEmbed[] = [
      { parent: 'hris_employees', child: 'hris_groups', column: 'groups', path: '$[*].id' },
    ];
    expect(
      planEmbeddedRefetch(
        changed([
          ['hris_groups', ['g1']],
          ['ats_candidates', ['c1']],
        ]),
        {
          isParentEligible: () => true,
          embeds,
        },
      ),
    ).toEqual([{ embed: embeds[0], childIds: ['g1'] }]);
  });
});

describe('chunkParentIds', () => {
  it('drops duplicates and parents already refetched, then chunks by the per-request limit', () => {
    expect(chunkParentIds(['a', 'b', 'a', 'c', 'd', 'e'], new Set(['c']), 2)).toEqual([
      ['a', 'b'],
      ['d', 'e'],
    ]);
    expect(chunkParentIds([], new Set(), 100)).toEqual([]);
  });

  it('needs ceil(n / 100) requests for n parents', () => {
    const ids = Array.from({ length: 250 }, (_, i) => `p${i}`);
    expect(chunkParentIds(ids, new Set(), 100).map((chunk) => chunk.length)).toEqual([100, 100, 50]);
  });
});

describe('embeddedChildLevels', () => {
  it('orders the catalog children so a parent comes after each of its children', () => {
    const levels = embeddedChildLevels();
    const levelOf = new Map(
      levels.flatMap((models, index) => models.map((model) => [model, index] as const)),
    );
    for (const { parent, child } of UNTRACKED_EMBEDS) {
      const parentLevel = levelOf.get(parent);
      if (parentLevel !== undefined) expect(parentLevel).toBeGreaterThan(levelOf.get(child) ?? Infinity);
    }
    expect(levels[0]).toContain('ats_tags');
    expect(levels.at(-1)).toEqual(['ats_candidates']);
  });

  it('throws on a cycle', () => {
    expect(() =>
      embeddedChildLevels([
        { parent: 'ats_jobs', child: 'ats_candidates', column: 'x' },
        { parent: 'ats_candidates', child: 'ats_jobs', column: 'y' },
      ]),
    ).toThrow(/cycle/);
  });
});
