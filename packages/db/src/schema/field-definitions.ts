// The field definition tables are defined in packages/mirror (the typed read package products use); the migrations
// are generated from this schema folder, which finds them among this file's exports.
export {
  customFieldDefinitions,
  integrationFieldDefinitions,
  type CustomFieldDefinitionRow,
  type IntegrationFieldDefinitionRow,
} from '@kombo-sync/mirror/tables';
