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

  it.each([
    [{ name: 'a\u0000b', count: 1 }, 'body', undefined, 'name'],
    [{ name: 'a', count: 1, tags: ['x', 'y\u0000'] }, 'body', undefined, 'tags[1]'],
    [{ name: 'a', count: 1, nested: { 'k\u0000': 1 } }, 'body', undefined, 'nested.k\u0000'],
    ['\u0000', 'param', 'recordId', 'recordId'],
    [{ actorId: '\u0000' }, 'query', undefined, 'actorId'],
  ] as const)(
    'refuses a NUL character in %j (%s), naming the field',
    async (value, type, data, field) => {
      const error = await new CustosValidationPipe()
        .transform(value, { type, metatype: type === 'body' ? Body : undefined, data })
        .then(
          () => undefined,
          (refused: unknown) => refused as CustosError,
        );
      expect(error?.code).toBe('core.nul_character');
      expect(error?.options.errors).toEqual([expect.objectContaining({ field })]);
    },
  );

  it("leaves custom parameters alone: they are the server's own values", async () => {
    const actor = { name: '\u0000' };
    await expect(
      new CustosValidationPipe().transform(actor, { type: 'custom', metatype: undefined }),
    ).resolves.toBe(actor);
  });
});
