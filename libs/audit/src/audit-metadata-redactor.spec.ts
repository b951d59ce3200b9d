import { redactMetadata } from './audit-metadata-redactor';

describe(redactMetadata.name, () => {
  const hidden = new Set(['salary']);

  it('removes a hidden name from lists at any depth', () => {
    expect(
      redactMetadata({ changed: ['phone', 'salary'], nested: { list: [['salary', 'x']] } }, hidden),
    ).toEqual({ metadata: { changed: ['phone'], nested: { list: [['x']] } }, redacted: true });
  });

  it('removes members named after a hidden name', () => {
    expect(
      redactMetadata({ before: { salary: 1, phone: 'a' }, after: { salary: 2 } }, hidden),
    ).toEqual({ metadata: { before: { phone: 'a' }, after: {} }, redacted: true });
  });

  it('removes members whose value is a hidden name', () => {
    expect(redactMetadata({ uniqueProperty: 'salary', mode: 'upsert' }, hidden)).toEqual({
      metadata: { mode: 'upsert' },
      redacted: true,
    });
  });

  it('removes a listed object that names a hidden name, with its other members', () => {
    expect(
      redactMetadata(
        {
          filters: [
            { propertyName: 'salary', operator: 'gte', value: 100000 },
            { propertyName: 'country', operator: 'eq', value: 'DE' },
          ],
        },
        hidden,
      ),
    ).toEqual({
      metadata: { filters: [{ propertyName: 'country', operator: 'eq', value: 'DE' }] },
      redacted: true,
    });
  });

  it('keeps metadata that names nothing hidden, and says nothing was removed', () => {
    expect(redactMetadata({ changed: ['phone'], count: 2 }, hidden)).toEqual({
      metadata: { changed: ['phone'], count: 2 },
      redacted: false,
    });
  });

  it("shows none of the metadata for 'all'", () => {
    expect(redactMetadata({ changed: ['phone'] }, 'all')).toEqual({ metadata: {}, redacted: true });
  });

  it("does not call empty metadata redacted under 'all'", () => {
    expect(redactMetadata({}, 'all')).toEqual({ metadata: {}, redacted: false });
  });
});
