// A small model in the shape of GET /api/v1/schema, for the tests.
import type { FieldDef, ResourceDef } from '../api';

const f = (name: string, type: FieldDef['type'], extra: Partial<FieldDef> = {}): FieldDef => ({
  name, type, label: name, description: '', required: false, readOnly: false, builtin: true, ...extra,
});

export function testModel(): ResourceDef[] {
  return [
    {
      name: 'profile', label: 'Profile', pluralLabel: 'Profiles', builtin: true, table: 'profiles',
      fields: [
        f('id', 'integer', { readOnly: true, label: 'Id' }),
        f('createdAt', 'datetime', { readOnly: true, label: 'Created' }),
        f('modifiedAt', 'datetime', { readOnly: true }),
        f('email', 'string', { length: 254, label: 'Email' }),
        f('emailDomain', 'string', { length: 253, readOnly: true }),
        f('firstName', 'string', { length: 100, label: 'First name' }),
        f('gender', 'enum', { values: [{ value: 'unknown', label: 'Unknown' }, { value: 'female', label: 'Female' }] }),
        f('birthDate', 'date'),
        f('city', 'string', { length: 100 }),
        f('blockEmail', 'boolean', { label: 'No longer contact by email' }),
        f('createdBy', 'string', { length: 64, readOnly: true }),
        f('loyaltyTier', 'enum', { builtin: false, label: 'Loyalty tier', values: [{ value: 'bronze', label: 'Bronze' }, { value: 'gold', label: 'Gold' }] }),
        f('score', 'float', { builtin: false }),
      ],
      links: [],
      reverseLinks: [{ name: 'subscriptions', source: 'subscription', link: 'profile' }],
      indexes: [{ name: 'profiles_email_idx', fields: ['email'], unique: false, builtin: true }],
    },
    {
      name: 'service', label: 'Service', pluralLabel: 'Services', builtin: true, table: 'services',
      fields: [
        f('id', 'integer', { readOnly: true }),
        f('name', 'string', { length: 64, required: true }),
        f('channel', 'enum', { required: true, values: [{ value: 'email', label: 'Email' }, { value: 'sms', label: 'SMS' }] }),
        f('validityDays', 'integer'),
      ],
      links: [],
      reverseLinks: [],
      indexes: [],
    },
    {
      name: 'purchase', label: 'Purchase', pluralLabel: 'Purchases', builtin: false, table: 'x_purchase',
      fields: [
        f('id', 'integer', { readOnly: true }),
        f('createdAt', 'datetime', { readOnly: true }),
        f('modifiedAt', 'datetime', { readOnly: true }),
        f('sku', 'string', { length: 40, required: true, builtin: false }),
        f('boughtAt', 'datetime', { builtin: false }),
        f('notes', 'text', { builtin: false }),
      ],
      links: [{ name: 'profile', target: 'profile', cardinality: 'one', reverseName: 'purchases', label: 'Profile', builtin: false, column: 'profile_id' }],
      reverseLinks: [],
      indexes: [{ name: 'x_purchase_sku_key', fields: ['sku', 'profile'], unique: true, builtin: false }],
    },
  ];
}
