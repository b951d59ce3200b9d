import { CustosError } from '@custos/core';
import { checkValues, filesByField, formActor } from './form-submission.service';
import type { UploadedFormFile } from './form-submission-upload.interceptor';

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
    // A property may be named `constructor` (lower-case, as names are): every object has one.
    const named = { fields: [{ property: 'constructor', label: null, required: true }] };
    expect(errorOf(() => checkValues(named, {})).options.errors).toEqual([
      expect.objectContaining({ field: 'fields.constructor' }),
    ]);
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

describe('file fields', () => {
  const withFile = {
    fields: [...form.fields, { property: 'scan', label: null, required: true }],
  };
  const fileFields = new Set(['scan']);
  const part = (fieldname: string): UploadedFormFile => ({
    fieldname,
    buffer: Buffer.from('%PDF'),
    originalname: 'secret-name.pdf',
    mimetype: 'application/pdf',
    size: 4,
  });

  it('takes a required file field as filled by its file part, not by a value', () => {
    const files = filesByField([part('files[scan]')], fileFields);
    expect([...files.keys()]).toEqual(['scan']);
    expect(checkValues(withFile, { email: 'a@b.test' }, files, fileFields)).toEqual({
      email: 'a@b.test',
    });
    expect(
      errorOf(() => checkValues(withFile, { email: 'a@b.test' }, new Map(), fileFields)),
    ).toMatchObject({
      code: 'crm.required_property',
      options: { errors: [{ field: 'fields.scan' }] },
    });
  });

  it('refuses a value for a file field, and says how to send the file', () => {
    expect(
      errorOf(() =>
        checkValues(withFile, { email: 'a@b.test', scan: 'http://x' }, new Map(), fileFields),
      ),
    ).toMatchObject({
      code: 'crm.form_file_expected',
      options: { errors: [{ field: 'fields.scan' }] },
    });
  });

  it('names file parts that are not file fields, or come twice, never the file name', () => {
    for (const name of ['files[email]', 'files[other]', 'scan', 'files[scan']) {
      const error = errorOf(() => filesByField([part(name)], fileFields));
      expect(error).toMatchObject({
        code: 'crm.unknown_form_file',
        options: { errors: [{ field: name }] },
      });
      expect(JSON.stringify(error.options)).not.toContain('secret-name');
    }
    expect(
      errorOf(() => filesByField([part('files[scan]'), part('files[scan]')], fileFields)).code,
    ).toBe('crm.duplicate_form_file');
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
