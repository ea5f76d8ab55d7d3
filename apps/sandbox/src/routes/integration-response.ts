import { MODELS } from '@kombo-sync/catalog';
import type { IntegrationState } from '../data/store.js';

const LABELS: Record<string, string> = { personio: 'Personio', greenhouse: 'Greenhouse', docebo: 'Docebo' };

/** The `GET /integrations/:id` body, shaped like Kombo's GetIntegrationsIntegrationIdPositiveResponse. */
export function integrationResponse(state: IntegrationState): Record<string, unknown> {
  const label = LABELS[state.tool] ?? state.tool.charAt(0).toUpperCase() + state.tool.slice(1);
  return {
    status: 'success',
    data: {
      id: state.id,
      tool: {
        id: state.tool,
        label,
        internal_label: null,
        logo_url: `https://storage.googleapis.com/kombo-assets/integrations/${state.tool}/logo.svg`,
        icon_url: `https://storage.googleapis.com/kombo-assets/integrations/${state.tool}/icon.svg`,
      },
      category: state.category,
      status: state.status,
      setup_status: state.setupStatus,
      end_user: state.endUser,
      scope_config: { id: 'SandboxScopeConfig111111', name: 'Sandbox scopes' },
      data_expired_at: state.dataExpiredAtMs === null ? null : new Date(state.dataExpiredAtMs).toISOString(),
      created_at: new Date(state.createdAtMs).toISOString(),
      beta: false,
      read_models: MODELS.filter((m) => m.category === state.category).map((m) => ({
        id: m.name,
        label: m.name.replace(/^(hris|ats|lms)_/, '').replace(/_/g, ' '),
        is_available: state.store(m.name) !== undefined && !state.disabledModels.has(m.name),
        coverage_status: 'SUPPORTED',
        scope_config_setting: 'ENABLED',
        opted_out_by_customer: false,
        fields: [],
      })),
      write_actions: [],
    },
  };
}
