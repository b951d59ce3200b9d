import type { DataCategory } from '../taxonomy/categories';
import { InMemoryPersonalDataRegistry } from './personal-data-registry';
import type { PersonalDataSource } from './personal-data.types';

const contacts: PersonalDataSource = {
  key: 'crm.contact',
  owner: 'crm',
  table: 'crm_contact',
  subject: 'contact',
  subjectColumn: 'id',
  description: 'Contacts',
  fields: [
    { column: 'email', category: 'user.contact.email' },
    { column: 'tax_id', category: 'user.government_id', sealed: { blindIndex: 'crm_blind_index' } },
  ],
};

describe('the personal-data registry', () => {
  it('lists declarations by key and by table, with the fields of providers per account', async () => {
    const registry = new InMemoryPersonalDataRegistry();
    registry.register({ ...contacts, key: 'crm.company', table: 'crm_company' });
    registry.register(contacts);
    registry.registerProvider({
      source: 'crm.contact',
      fieldsOf: (accountId) =>
        Promise.resolve(
          accountId === 'acme'
            ? [
                {
                  column: 'properties',
                  jsonKey: 'birthday',
                  category: 'user.demographic.date_of_birth',
                },
              ]
            : [],
        ),
    });
    expect(registry.sources().map((s) => s.key)).toEqual(['crm.company', 'crm.contact']);
    expect(registry.sourcesOfTable('crm_contact').map((s) => s.key)).toEqual(['crm.contact']);
    const acme = await registry.sourcesOf('acme');
    expect(acme[1].fields.map((f) => f.jsonKey ?? f.column)).toEqual([
      'email',
      'tax_id',
      'birthday',
    ]);
    expect((await registry.sourcesOf('globex'))[1].fields).toHaveLength(2);
  });

  it.each<[string, Partial<PersonalDataSource>]>([
    [
      'an unknown category',
      { fields: [{ column: 'email', category: 'user.contact.emial' as DataCategory }] },
    ],
    [
      'a category outside personal data',
      { fields: [{ column: 'x', category: 'system.operations' as DataCategory }] },
    ],
    ['a bad column', { fields: [{ column: 'E-mail', category: 'user.contact.email' }] }],
    [
      'a sealed value without blind index',
      { fields: [{ column: 'x', category: 'user.name', sealed: { blindIndex: '' } }] },
    ],
    [
      'a column twice',
      {
        fields: [
          { column: 'x', category: 'user.name' },
          { column: 'x', category: 'user.name' },
        ],
      },
    ],
    [
      'a phone key on a column that holds no phone number',
      { fields: [{ column: 'email', category: 'user.contact.email', phoneKey: true }] },
    ],
    [
      'a phone key on a sealed phone',
      {
        fields: [
          {
            column: 'phone',
            category: 'user.contact.phone_number',
            phoneKey: true,
            sealed: { blindIndex: 'b' },
          },
        ],
      },
    ],
    ['neither a field nor a subject column', { fields: [], subjectColumn: null }],
    ['a bad key', { key: 'contact' }],
    ['an unknown subject', { subject: 'robot' as never }],
  ])('refuses %s at boot', (_case, change) => {
    expect(() => new InMemoryPersonalDataRegistry().register({ ...contacts, ...change })).toThrow(
      /Personal-data source/,
    );
  });

  it('refuses a key declared twice', () => {
    const registry = new InMemoryPersonalDataRegistry();
    registry.register(contacts);
    expect(() => registry.register(contacts)).toThrow(/declared twice/);
  });
});
