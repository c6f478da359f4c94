// The data model as GET /api/v1/schema describes it (src/schema/model_json.hpp), the body and answer
// of POST /api/v1/schema/publish, and the records of the generic CRUD API (their keys are the
// resource's field and link names, so they are plain objects read through the schema).

export const FIELD_TYPES = ['string', 'text', 'integer', 'float', 'boolean', 'date', 'datetime', 'enum'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export type Cardinality = 'one' | 'zeroOrOne';

export interface EnumValue {
  value: string;
  label: string;
}

export interface FieldDef {
  name: string;
  type: FieldType;
  /** Strings only: the maximum number of characters. */
  length?: number;
  /** Enumerations only. */
  values?: EnumValue[];
  label: string;
  description: string;
  required: boolean;
  readOnly: boolean;
  builtin: boolean;
  /** Output only: the database column. */
  column?: string;
}

export interface LinkDef {
  name: string;
  target: string;
  cardinality: Cardinality;
  reverseName: string;
  label: string;
  builtin: boolean;
  column?: string;
}

/** Output only: a link of another resource that points to this one. */
export interface ReverseLink {
  name: string;
  source: string;
  link: string;
}

export interface IndexDef {
  name?: string;
  fields: string[];
  unique: boolean;
  builtin: boolean;
}

export interface ResourceDef {
  name: string;
  label: string;
  pluralLabel: string;
  builtin: boolean;
  /** Output only: the database table ("x_<name>" for a custom resource). */
  table?: string;
  fields: FieldDef[];
  links: LinkDef[];
  reverseLinks: ReverseLink[];
  indexes: IndexDef[];
}

/** Answer of GET /api/v1/schema. */
export interface SchemaDoc {
  resources: ResourceDef[];
}

/** What publish reads of a field, link or index (anything built-in is skipped by the server). */
export interface PublishField {
  name: string;
  type: FieldType;
  label: string;
  description?: string;
  required: boolean;
  length?: number;
  values?: EnumValue[];
}

export interface PublishLink {
  name: string;
  target: string;
  cardinality: Cardinality;
  reverseName: string;
  label: string;
}

export interface PublishIndex {
  fields: string[];
  unique: boolean;
}

export interface PublishResource {
  name: string;
  label?: string;
  pluralLabel?: string;
  fields: PublishField[];
  links: PublishLink[];
  indexes: PublishIndex[];
}

/** Body of POST /api/v1/schema/publish: the whole custom model, plus the two switches. */
export interface PublishRequest {
  resources: PublishResource[];
  dryRun?: boolean;
  allowDataLoss?: boolean;
}

export interface SchemaChange {
  description: string;
  losesData: boolean;
}

/** Answer of POST /api/v1/schema/publish. */
export interface PublishResult {
  applied: boolean;
  version: number;
  losesData: boolean;
  changes: SchemaChange[];
  statements: string[];
}

/** One row of a resource: keys are its field and link names (a link's value is the target's id). */
export type DataRecord = Record<string, unknown> & { id: number };

/** A subscription of a profile to a service. */
export interface Subscription {
  id: number;
  createdAt: string;
  modifiedAt: string;
  origin: string | null;
  expiresAt: string | null;
  service: number;
  profile: number;
}

/** Answer of GET …/_count. */
export interface CountResult {
  count: number;
}
