import { IsInt, IsString } from 'class-validator';
import { CustosError } from '../errors/custos-error';
import { CustosValidationPipe } from './validation.pipe';

class Body {
  @IsString()
  name!: string;

  @IsInt()
  count!: number;
}

const metadata = { type: 'body' as const, metatype: Body };

async function failureOf(value: unknown): Promise<CustosError> {
  try {
    await new CustosValidationPipe().transform(value, metadata);
  } catch (error) {
    return error as CustosError;
  }
  throw new Error('expected a validation failure');
}

describe(CustosValidationPipe.name, () => {
  it('transforms a valid body into the DTO class', async () => {
    await expect(
      new CustosValidationPipe().transform({ name: 'a', count: 1 }, metadata),
    ).resolves.toBeInstanceOf(Body);
  });

  it('names every invalid field', async () => {
    const error = await failureOf({ name: 3, count: 'x' });
    expect(error.kind).toBe('validation');
    expect(error.options.errors?.map((e) => e.field).sort()).toEqual(['count', 'name']);
  });

  it('refuses unknown properties, naming them', async () => {
    const error = await failureOf({ name: 'a', count: 1, accountId: 'other' });
    expect(error.options.errors).toEqual([expect.objectContaining({ field: 'accountId' })]);
  });

  it.each([
    ['{"name":"a","count":1,"__proto__":{"admin":true}}', '__proto__'],
    ['{"name":"a","count":1,"nested":{"constructor":{"prototype":{}}}}', 'nested.constructor'],
  ])('refuses prototype-polluting keys in %s', async (json, field) => {
    const error = await failureOf(JSON.parse(json));
    expect(error.code).toBe('core.forbidden_key');
    expect(error.options.errors).toEqual([expect.objectContaining({ field })]);
  });
});
