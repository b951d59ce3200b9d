import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsArray, IsObject, ValidateNested } from 'class-validator';

/** A DTO class, as class-transformer's `@Type` takes it. */
type DtoClass = () => new (...args: never[]) => object;

/**
 * One nested object of `type`. class-validator's `@ValidateNested()` alone walks into an array
 * it finds instead and validates nothing when it is empty, so `[]` or `[[]]` passed as the object.
 */
export function NestedObject(type: DtoClass): PropertyDecorator {
  return applyDecorators(IsObject(), ValidateNested(), Type(type));
}

/**
 * An array of objects of `type`. `@ValidateNested({ each: true })` alone walks into nested
 * arrays, so `[[]]` passed with no item validated and reached the service as an array.
 */
export function NestedArray(type: DtoClass): PropertyDecorator {
  return applyDecorators(
    IsArray(),
    IsObject({ each: true }),
    ValidateNested({ each: true }),
    Type(type),
  );
}
