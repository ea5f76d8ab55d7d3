import type { ModelName } from './models.js';

/**
 * A copy of a child model's records nested in a parent model's records that Kombo's `updated_after` does not
 * track: a change of the child does not re-date the parent (FACTS.md, "updated_after nested-change rules"), so a
 * delta never returns the parent and its copy goes stale. The worker refetches such parents by id in the same run.
 */
export interface UntrackedEmbed {
  /** The model whose records hold the copy. */
  readonly parent: ModelName;
  /** The model copied. */
  readonly child: ModelName;
  /** The parent's column that names the child: a text foreign key, or a jsonb column read with `path`. */
  readonly column: string;
  /** SQL/JSON path selecting the child ids inside the jsonb `column`, e.g. `$[*].id`. Absent: `column` is the id. */
  readonly path?: string;
}

/**
 * Every untracked embedding of the catalog, from the spec's response schemas and Kombo's `updated_after` rules:
 * applications track `candidate` but not `candidate.tags`, nor `job`; candidates track `applications` but not their
 * `current_stage` or `job`, and `tags` only when added or removed; jobs track `stages` and `hiring_team` only when
 * added or removed; interviews track `interviewers` only when added or removed, and `application` but not the
 * candidate and job inside it (offers likewise); employees track group memberships only when added or removed;
 * LMS courses track `revisions` but not the skills assigned to them; course progressions track neither `user` nor
 * `course_revision` (whose title changes re-date its course).
 * Linked records Kombo does track (an employee's manager, an absence's type, a review's cycle) are not listed.
 */
export const UNTRACKED_EMBEDS: readonly UntrackedEmbed[] = [
  { parent: 'ats_applications', child: 'ats_candidates', column: 'candidate_id' },
  { parent: 'ats_applications', child: 'ats_jobs', column: 'job_id' },
  { parent: 'ats_candidates', child: 'ats_tags', column: 'tags', path: '$[*].id' },
  {
    parent: 'ats_candidates',
    child: 'ats_application_stages',
    column: 'applications',
    path: '$[*].current_stage.id',
  },
  { parent: 'ats_candidates', child: 'ats_jobs', column: 'applications', path: '$[*].job.id' },
  { parent: 'ats_jobs', child: 'ats_application_stages', column: 'stages', path: '$[*].id' },
  { parent: 'ats_jobs', child: 'ats_users', column: 'hiring_team', path: '$[*].id' },
  { parent: 'ats_interviews', child: 'ats_users', column: 'users', path: '$[*].id' },
  { parent: 'ats_interviews', child: 'ats_candidates', column: 'application', path: '$.candidate.id' },
  { parent: 'ats_interviews', child: 'ats_jobs', column: 'application', path: '$.job.id' },
  { parent: 'ats_offers', child: 'ats_candidates', column: 'application', path: '$.candidate.id' },
  { parent: 'ats_offers', child: 'ats_jobs', column: 'application', path: '$.job.id' },
  { parent: 'hris_employees', child: 'hris_groups', column: 'groups', path: '$[*].id' },
  {
    parent: 'lms_courses',
    child: 'lms_skills',
    column: 'revisions',
    path: '$[*].skill_assignments[*].skill.id',
  },
  { parent: 'lms_course_progressions', child: 'lms_users', column: 'user_id' },
  { parent: 'lms_course_progressions', child: 'lms_courses', column: 'course_revision', path: '$.course.id' },
];
