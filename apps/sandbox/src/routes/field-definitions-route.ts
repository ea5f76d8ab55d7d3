import type { Request, Response } from 'express';
import type { IntegrationState } from '../data/store.js';
import { sendKomboError } from '../errors.js';

/** The two field definition listings, with Kombo's largest page size of each (page_size default 100). */
export const FIELD_DEFINITION_LISTS = { 'custom-fields': 250, 'integration-fields': 2000 } as const;
export type FieldDefinitionList = keyof typeof FIELD_DEFINITION_LISTS;

/**
 * `GET /integrations/{id}/custom-fields` or `…/integration-fields`: one page, `next` (and the deprecated
 * `next_cursor`, same value) the opaque cursor of the next page or null.
 */
export function serveFieldDefinitions(
  req: Request,
  res: Response,
  state: IntegrationState,
  list: FieldDefinitionList,
): void {
  const maxPageSize = FIELD_DEFINITION_LISTS[list];
  const pageSizeText = req.query.page_size;
  const pageSize = pageSizeText === undefined ? 100 : Number(pageSizeText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
    return sendKomboError(
      res,
      400,
      'PLATFORM.INPUT_INVALID',
      `page_size must be an integer between 1 and ${maxPageSize}.`,
    );
  }
  let position = 0;
  if (req.query.cursor !== undefined) {
    const decoded = Number(Buffer.from(String(req.query.cursor), 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0)
      return sendKomboError(res, 400, 'PLATFORM.INPUT_INVALID', 'The cursor is invalid.');
    position = decoded;
  }
  const all =
    list === 'custom-fields' ? state.fieldDefinitions.customFields : state.fieldDefinitions.integrationFields;
  const results = all.slice(position, position + pageSize);
  const next =
    position + pageSize < all.length ? Buffer.from(String(position + pageSize)).toString('base64url') : null;
  res.json({ status: 'success', data: { results, next_cursor: next, next } });
}
