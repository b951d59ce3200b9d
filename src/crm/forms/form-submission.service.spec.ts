import { CustosError } from '@custos/core';
import { checkValues, formActor } from './form-submission.service';

const form = {
  fields: [
    { property: 'email', label: null, required: true },
    { property: 'firstname', label: 'First name', required: false },
  ],
};

function errorOf(work: () => unknown): CustosError {
  try {
    work();
  } catch (error) {
    if (error instanceof CustosError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a CustosError');
}

describe(checkValues.name, () => {
  it('keeps the values of the form fields and leaves out empty ones', () => {
    expect(checkValues(form, { email: 'a@b.test', firstname: '  ' })).toEqual({
      email: 'a@b.test',
    });
    expect(checkValues(form, { email: 'a@b.test', firstname: null })).toEqual({
      email: 'a@b.test',
    });
  });

  it('names a field the form does not have', () => {
    expect(errorOf(() => checkValues(form, { email: 'a@b.test', phone: '1' }))).toMatchObject({
      kind: 'validation',
      code: 'crm.unknown_form_field',
      options: { errors: [{ field: 'fields.phone', message: 'is not a field of this form' }] },
    });
  });

  it('names a required field left empty', () => {
    expect(errorOf(() => checkValues(form, { email: '', firstname: 'Ada' }))).toMatchObject({
      code: 'crm.required_property',
      options: { errors: [{ field: 'fields.email' }] },
    });
  });

  it('refuses objects and arrays without quoting them', () => {
    const error = errorOf(() => checkValues(form, { email: { secret: 'SECRET-VALUE' } }));
    expect(error).toMatchObject({ options: { errors: [{ field: 'fields.email' }] } });
    expect(JSON.stringify({ detail: error.detail, options: error.options })).not.toContain(
      'SECRET-VALUE',
    );
    expect(errorOf(() => checkValues(form, { email: ['x'] })).code).toBe('crm.invalid_value');
  });
});

describe(formActor.name, () => {
  it('acts for the form in its account, named after the form only', () => {
    expect(formActor({ id: 'f1', accountId: 'a1' })).toEqual({
      kind: 'system',
      id: 'form:f1',
      accountId: 'a1',
      userId: null,
      label: 'form:f1',
      superAdmin: true,
    });
  });
});
