import { IsString } from 'class-validator';
import { CustosError } from '../errors/custos-error';
import { NestedArray, NestedObject } from './nested';
import { CustosValidationPipe } from './validation.pipe';

class Item {
  @IsString()
  name!: string;
}

class Batch {
  @NestedArray(() => Item)
  inputs!: Item[];
}

class Single {
  @NestedObject(() => Item)
  item!: Item;
}

async function fieldsRefused(value: unknown, metatype: new () => object): Promise<string[]> {
  try {
    await new CustosValidationPipe().transform(value, { type: 'body', metatype });
  } catch (error) {
    return [...new Set((error as CustosError).options.errors?.map((e) => e.field))];
  }
  return [];
}

describe(NestedArray.name, () => {
  it('accepts an array of valid items, as instances of the item class', async () => {
    const batch = (await new CustosValidationPipe().transform(
      { inputs: [{ name: 'a' }] },
      { type: 'body', metatype: Batch },
    )) as Batch;
    expect(batch.inputs[0]).toBeInstanceOf(Item);
  });

  it('names an invalid item with brackets, as services do', async () => {
    expect(await fieldsRefused({ inputs: [{ name: 'a' }, { name: 3 }] }, Batch)).toEqual([
      'inputs[1].name',
    ]);
  });

  it.each([
    [{ inputs: [[]] }],
    [{ inputs: [[[[]]]] }],
    [{ inputs: [[{ name: 'a' }]] }],
    [{ inputs: [1] }],
    [{ inputs: [null] }],
    [{ inputs: ['a'] }],
    [{ inputs: { name: 'a' } }],
  ])('refuses %j, naming the array', async (value) => {
    expect(await fieldsRefused(value, Batch)).toContain('inputs');
  });
});

describe(NestedObject.name, () => {
  it.each([[{ item: [] }], [{ item: [[]] }], [{ item: [{ name: 'a' }] }], [{ item: 'a' }]])(
    'refuses %j, naming the property',
    async (value) => {
      expect(await fieldsRefused(value, Single)).toContain('item');
    },
  );

  it('names an invalid field of the nested object', async () => {
    expect(await fieldsRefused({ item: { name: 3 } }, Single)).toEqual(['item.name']);
  });
});
