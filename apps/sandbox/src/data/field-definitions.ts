import { MODELS, type KomboCategory } from '@kombo-sync/catalog';
import { Rng, mix, randomId } from './random.js';

/** One entry of `GET /integrations/{id}/integration-fields`. */
export interface SandboxIntegrationFieldDefinition {
  id: string;
  key: string;
  model: string;
  type: 'DEFAULT' | 'CUSTOM';
  label: string | null;
  is_passthrough_enabled: boolean;
  is_writable: false;
}

/** One entry of `GET /integrations/{id}/custom-fields`. */
export interface SandboxCustomFieldDefinition {
  id: string;
  key: string;
  integration_field: { id: string; key: string; type: 'DEFAULT' | 'CUSTOM'; label: string | null } | null;
  model: string;
  label: string | null;
  description: string | null;
}

/** What a change of the definitions does: counts of each kind, applied deterministically. */
export interface FieldDefinitionChange {
  /** New custom fields (each mapped to a new CUSTOM integration field). */
  creates?: number;
  /** Custom fields relabelled (and their integration fields with them). */
  updates?: number;
  /** Custom fields removed, with their integration fields. */
  deletes?: number;
}

const CUSTOM_KEYS = ['tshirt_size', 'cost_center', 'badge_number', 'pronouns', 'shoe_size', 'nickname'];
const DEFAULT_KEYS = ['first_name', 'last_name', 'email', 'status', 'created_at', 'tax_id'];

const label = (key: string): string => key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** The field definitions of one sandbox integration: generated at creation, changed by the admin API. */
export class FieldDefinitions {
  readonly customFields: SandboxCustomFieldDefinition[] = [];
  readonly integrationFields: SandboxIntegrationFieldDefinition[] = [];
  private readonly models: string[];
  private readonly rng: Rng;
  private created = 0;
  private revision = 0;

  constructor(
    category: KomboCategory,
    seed: number,
    counts: { customFields?: number; integrationFields?: number } = {},
  ) {
    this.models = MODELS.filter((model) => model.category === category).map((model) => model.name);
    this.rng = new Rng(mix(seed, 0xf1e1d));
    for (let i = 0; i < (counts.integrationFields ?? 12); i++) {
      const key = DEFAULT_KEYS[i % DEFAULT_KEYS.length]! + (i >= DEFAULT_KEYS.length ? `_${i}` : '');
      this.integrationFields.push(this.integrationField(key, 'DEFAULT', i));
    }
    for (let i = 0; i < (counts.customFields ?? 6); i++) this.addCustomField();
  }

  /** Applies a change. */
  change(request: FieldDefinitionChange): void {
    for (let n = 0; n < (request.creates ?? 0); n++) this.addCustomField();
    for (let n = 0; n < (request.updates ?? 0) && this.customFields.length > 0; n++) {
      this.revision += 1;
      const field = this.customFields[this.rng.int(0, this.customFields.length - 1)]!;
      field.label = `${label(field.key)} (v${this.revision})`;
      if (field.integration_field) {
        field.integration_field.label = field.label;
        const mapped = this.integrationFields.find((entry) => entry.id === field.integration_field?.id);
        if (mapped) mapped.label = field.label;
      }
    }
    for (let n = 0; n < (request.deletes ?? 0) && this.customFields.length > 0; n++) {
      this.revision += 1;
      const [field] = this.customFields.splice(this.rng.int(0, this.customFields.length - 1), 1);
      const mapped = field?.integration_field?.id;
      const index = this.integrationFields.findIndex((entry) => entry.id === mapped);
      if (index >= 0) this.integrationFields.splice(index, 1);
    }
  }

  private integrationField(
    key: string,
    type: 'DEFAULT' | 'CUSTOM',
    i: number,
  ): SandboxIntegrationFieldDefinition {
    return {
      id: randomId(this.rng),
      key: type === 'CUSTOM' ? `custom.${key}` : key,
      model: this.models[i % Math.max(1, this.models.length)] ?? 'unknown',
      type,
      label: label(key),
      is_passthrough_enabled: type === 'CUSTOM' || i % 3 === 0,
      // Deprecated: the spec fixes it to false.
      is_writable: false,
    };
  }

  private addCustomField(): void {
    const i = this.created++;
    const key = CUSTOM_KEYS[i % CUSTOM_KEYS.length]! + (i >= CUSTOM_KEYS.length ? `_${i}` : '');
    // Every other custom field is mapped to a CUSTOM field of the tool, the others are not mapped yet.
    const mapped = i % 2 === 0 ? this.integrationField(key, 'CUSTOM', i) : null;
    if (mapped) this.integrationFields.push(mapped);
    this.customFields.push({
      id: randomId(this.rng),
      key,
      integration_field: mapped
        ? { id: mapped.id, key: mapped.key, type: mapped.type, label: mapped.label }
        : null,
      model: this.models[i % Math.max(1, this.models.length)] ?? 'unknown',
      label: label(key),
      description: i % 3 === 0 ? `Map this to the ${label(key).toLowerCase()}` : null,
    });
  }
}
