import { Param, type PipeTransform } from '@nestjs/common';
import { CustosError } from '../errors/custos-error';
import { isId } from '../ids';

class ParseIdPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}

  transform(value: string): string {
    const normalized = typeof value === 'string' ? value.toLowerCase() : value;
    if (!isId(normalized)) {
      throw CustosError.invalidField('core.invalid_id', this.name, 'must be a UUID');
    }
    return normalized;
  }
}

/** A path parameter holding a Custos id; anything else is a 422 naming the parameter. */
export function IdParam(name: string): ParameterDecorator {
  return Param(name, new ParseIdPipe(name));
}
