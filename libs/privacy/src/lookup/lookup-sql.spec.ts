import type { PersonalDataSource } from '../registry/personal-data.types';
import { lookupReach } from './lookup-reach';
import {
  SourceSql,
  SqlParameters,
  holdsSealed,
  pageSql,
  phoneKeySql,
  probesSealed,
  valueCondition,
  valueProbes,
} from './lookup-sql';
import { probedIdentifiers, splitName } from './subject-identifiers';

const contact: PersonalDataSource = {
  key: 'crm.contact',
  owner: 'crm',
  table: 'crm_contact',
  subject: 'contact',
  subjectColumn: 'id',
  description: 'contacts',
  fields: [
    { column: 'email', category: 'user.contact.email' },
    { column: 'firstname', category: 'user.name.first' },
    { column: 'lastname', category: 'user.name.last' },
    { column: 'phone', category: 'user.contact.phone_number', phoneKey: true },
    { column: 'custom', category: 'user', sealed: { blindIndex: 'crm_blind_index' } },
    {
      column: 'custom',
      jsonKey: 'ssn',
      category: 'user.government_id',
      sealed: { blindIndex: 'b' },
    },
  ],
};

describe('the lookup SQL generated from the registry', () => {
  it('spells identifiers as they may be stored, and rejects none or empty ones naming the field', () => {
    expect(probedIdentifiers({ email: ' Ada@Example.com ', phone: '+44 (20) 7946-0001' })).toEqual([
      { kind: 'email', values: ['Ada@Example.com', 'ada@example.com'] },
      { kind: 'phone', values: ['+44 (20) 7946-0001', '+442079460001'] },
    ]);
    expect(() => probedIdentifiers({})).toThrow(
      expect.objectContaining({ code: 'privacy.invalid_input' }),
    );
    expect(() => probedIdentifiers({ name: '   ' })).toThrow(/1 to 200/);
    expect(splitName('Ada King Lovelace')).toEqual({ first: 'Ada King', last: 'Lovelace' });
    expect(splitName('Ada')).toBeNull();
  });

  it('probes a phone kept as typed through its phone key, with the normal forms', () => {
    const [phone] = probedIdentifiers({ phone: '0033 6 12 34 56 78' });
    expect(valueProbes(contact, phone)).toEqual([
      { columns: [['phone', phone.values]], matched: 'phone' },
      { columns: [['phone', ['+33612345678']]], matched: 'phone', phoneKey: true },
    ]);
    const parameters = new SqlParameters();
    expect(valueCondition(valueProbes(contact, phone)[1])(parameters)).toBe(
      `${phoneKeySql('phone')} = $1`,
    );
    expect(parameters.values).toEqual(['+33612345678']);
    // Equals what the migrations index (copied text: the planner needs the same expression).
    expect(phoneKeySql('phone')).toContain(`replace("phone", ' ', '')`);
  });

  it('probes each column of the category on its own; first and last names together', () => {
    const [email] = probedIdentifiers({ email: 'ada@example.com' });
    expect(valueProbes(contact, email)).toEqual([
      { columns: [['email', ['ada@example.com']]], matched: 'email' },
    ]);
    const [name] = probedIdentifiers({ name: 'Ada Lovelace' });
    expect(valueProbes(contact, name)).toEqual([
      {
        columns: [
          ['lastname', ['Lovelace']],
          ['firstname', ['Ada']],
        ],
        matched: 'firstname,lastname',
      },
    ]);
    // Sealed fields go through the blind index when their category nests with the identifier's.
    expect(contact.fields.filter((f) => probesSealed(f, 'email')).map((f) => f.jsonKey)).toEqual([
      undefined,
    ]);
  });

  it('pages a UNION ALL of single-column probes, never an OR across columns', () => {
    const sql = new SourceSql(contact, { primaryColumns: ['id'], hasAccountId: true });
    const parameters = new SqlParameters();
    const arms = [
      sql.arm(parameters, 'acc', 'email', (p) => `"email" = ${p.bind('ada@example.com')}`),
      sql.arm(parameters, 'acc', 'phone', (p) => `"phone" = ${p.bind('+1')}`),
    ];
    const text = pageSql('postgres', arms, parameters, null, 50);
    expect(text).toContain(' UNION ALL ');
    expect(text).not.toMatch(/\bOR\b/);
    expect(text).toMatch(/LIMIT \$5$/);
    // The page size is bound too: one prepared statement serves every size.
    expect(parameters.values).toEqual(['acc', 'ada@example.com', 'acc', '+1', 51]);
  });

  it('names composite keys and refuses a shared table without an account scope', () => {
    const state: PersonalDataSource = { ...contact, key: 'consent.state', fields: [] };
    expect(
      new SourceSql(state, {
        primaryColumns: ['account_id', 'contact_id', 'address'],
        hasAccountId: true,
      }).rowId,
    ).toBe(`"contact_id" || '/' || "address"`);
    expect(() => new SourceSql(state, { primaryColumns: ['id'], hasAccountId: false })).toThrow(
      /accountScope/,
    );
  });

  it('reads directly neither sealed nor file columns, and knows a sealed value anywhere', () => {
    const withFile: PersonalDataSource = {
      ...contact,
      fields: [
        ...contact.fields,
        { column: 'photo', category: 'user.content.self_image', file: true },
      ],
    };
    const sql = new SourceSql(withFile, { primaryColumns: ['id'], hasAccountId: true });
    const text = sql.valuesSql(new SqlParameters(), 'a1', ['r1']);
    expect(text).toContain('"email"');
    expect(text).not.toContain('"photo"');
    expect(text).not.toContain('"custom"');
    expect(holdsSealed('cx1.abc')).toBe(true);
    expect(holdsSealed('{"ssn":"cx1.abc","city":"Paris"}')).toBe(true);
    expect(holdsSealed({ ssn: 'cx1.abc' })).toBe(true);
    expect(holdsSealed(['cx1.abc'])).toBe(true);
    expect(holdsSealed('ada@example.com')).toBe(false);
    expect(holdsSealed({ city: 'Paris' })).toBe(false);
    expect(holdsSealed(null)).toBe(false);
    expect(holdsSealed(7)).toBe(false);
  });

  it('reports how each source is reached', () => {
    expect(lookupReach([contact])).toEqual([
      {
        source: 'crm.contact',
        bySubjectColumn: true,
        byValue: ['email', 'phone', 'name'],
        bySealedValue: ['email', 'phone', 'name'],
      },
    ]);
  });
});
