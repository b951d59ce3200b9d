import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { statusOfKind } from './problem-details.filter';
import type { ErrorKind } from './custos-error';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: 'email must be an email' })
  message!: string;
}

/** RFC 9457 problem document, as documented in the OpenAPI schema. */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'urn:custos:problem:core.validation_failed' })
  type!: string;

  @ApiProperty({ example: 'Unprocessable Content' })
  title!: string;

  @ApiProperty({ example: 422 })
  status!: number;

  @ApiProperty({ example: 'email must be an email' })
  detail!: string;

  @ApiPropertyOptional({ example: '/api/v1/users' })
  instance?: string;

  @ApiProperty({
    description: 'Stable machine-readable error code.',
    example: 'core.validation_failed',
  })
  code!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  requestId?: string;
}

const DESCRIPTIONS: Record<ErrorKind, string> = {
  bad_request: 'Malformed request (for example a body that is not JSON).',
  unauthenticated: 'Missing, invalid or expired credentials.',
  forbidden: 'The actor lacks the privilege named in the problem.',
  not_found: "No such resource in the actor's account.",
  conflict: 'The request conflicts with the current state.',
  gone: 'The resource existed but is no longer available (for example an expired file).',
  validation: 'Invalid input; `errors` names each offending field.',
  payload_too_large: 'The request body exceeds the configured limit.',
  rate_limited: 'Too many attempts; retry after the `Retry-After` seconds.',
  unavailable: 'A dependency (such as the database) is unavailable.',
};

/**
 * Documents the problem responses a route can return. Every authenticated route gets 401 and
 * 403 by listing them; pass the kinds that apply.
 */
export function ApiProblemResponses(...kinds: ErrorKind[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...kinds.map((kind) =>
      ApiResponse({
        status: statusOfKind(kind).status,
        description: DESCRIPTIONS[kind],
        content: {
          'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } },
        },
      }),
    ),
  );
}
