import {
  CallHandler,
  Controller,
  UseFilters,
  UseGuards,
  UseInterceptors,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  applyDecorators,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '@custos/core';
import { ScimAuthGuard } from './scim-auth.guard';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import { SCIM_CONTENT_TYPE, SCIM_ERROR_SCHEMA, ScimErrorFilter } from './scim-error.filter';
import {
  DEFAULT_SCIM_PAGE,
  LIST_RESPONSE_SCHEMA,
  MAX_SCIM_PAGE,
  type ScimPage,
} from './scim-resources';

const RESOURCE_SEGMENT = /\/(Users|Groups|ServiceProviderConfig|Schemas|ResourceTypes)(\/|$)/i;

/** The SCIM base URL of the request (`https://host/scim/v2`), for `meta.location`, wherever the module is mounted. */
export const ScimBaseUrl = createParamDecorator((_data: unknown, execution: ExecutionContext) => {
  const request = execution.switchToHttp().getRequest<Request>();
  const path = request.originalUrl.split('?')[0];
  const index = path.search(RESOURCE_SEGMENT);
  return `${request.protocol}://${request.get('host') ?? 'localhost'}${index >= 0 ? path.slice(0, index) : path}`;
});

function integer(value: unknown, fallback: number): number {
  const number = typeof value === 'string' && /^-?\d{1,9}$/.test(value) ? Number(value) : NaN;
  return Number.isNaN(number) ? fallback : number;
}

/**
 * `startIndex` (1-based; less than 1 counts as 1) and `count` (default 100, at most 1,000;
 * negative counts as 0), lenient as RFC 7644 §3.4.2.4 asks.
 */
export const ScimPageQuery = createParamDecorator(
  (_data: unknown, execution: ExecutionContext): ScimPage => {
    const query = execution.switchToHttp().getRequest<Request>().query;
    return {
      startIndex: Math.max(1, integer(query.startIndex, 1)),
      count: Math.min(MAX_SCIM_PAGE, Math.max(0, integer(query.count, DEFAULT_SCIM_PAGE))),
    };
  },
);

/** Answers `application/scim+json`, with `Location` on a created resource. */
@Injectable()
export class ScimResponseInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = execution.switchToHttp();
    const response = http.getResponse<Response>();
    response.type(SCIM_CONTENT_TYPE);
    const created = http.getRequest<Request>().method === 'POST';
    return next.handle().pipe(
      map((body: unknown) => {
        const location = (body as { meta?: { location?: string } } | undefined)?.meta?.location;
        if (created && location) {
          response.setHeader('Location', location);
        }
        return body;
      }),
    );
  }
}

const ERROR_DESCRIPTIONS: Record<
  number,
  { description: string; scimType?: string; detail: string }
> = {
  400: {
    description: 'Invalid filter, value or syntax (`scimType` says which).',
    scimType: 'invalidValue',
    detail: 'userName: is required',
  },
  401: {
    description: 'No valid provisioning token (access tokens and API keys are refused here).',
    detail:
      'Present a provisioning token of this account as `Authorization: Bearer <token>`; access tokens and API keys are not accepted here.',
  },
  404: { description: 'No such resource in this account.', detail: 'The user was not found.' },
  409: {
    description:
      'Already exists (`uniqueness`), or it would leave the account without a super admin.',
    scimType: 'uniqueness',
    detail:
      'userName: a user with this userName is already in this account (filter by userName to find them).',
  },
  413: {
    description: 'The body is larger than the server accepts (or nests too deep).',
    detail: 'The request body is larger than this server accepts.',
  },
  429: {
    description: 'Too many requests with this token; retry after `Retry-After` seconds.',
    detail:
      'Too many SCIM requests with this provisioning token; retry after the Retry-After seconds.',
  },
};

/** Documents SCIM error responses in the SCIM error schema, with an example each. */
export function ApiScimErrors(
  ...statuses: (keyof typeof ERROR_DESCRIPTIONS)[]
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => {
      const { description, scimType, detail } = ERROR_DESCRIPTIONS[status];
      return ApiResponse({
        status,
        description,
        content: {
          [SCIM_CONTENT_TYPE]: {
            schema: {
              type: 'object',
              required: ['schemas', 'status', 'detail'],
              properties: {
                schemas: { type: 'array', items: { type: 'string', enum: [SCIM_ERROR_SCHEMA] } },
                status: { type: 'string', description: 'The HTTP status, as a string.' },
                scimType: { type: 'string' },
                detail: { type: 'string' },
              },
            },
            example: {
              schemas: [SCIM_ERROR_SCHEMA],
              status: String(status),
              ...(scimType ? { scimType } : {}),
              detail,
            },
          },
        },
      });
    }),
  );
}

type ScimErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** What the documentation of one SCIM route says. */
export interface ScimRouteDoc {
  summary: string;
  description?: string;
  /** An example request body; with one, the route consumes `application/scim+json` and JSON. */
  body?: unknown;
  /** The success answer; an example is shown in `application/scim+json`. */
  answer: { status: number; description: string; example?: unknown };
  errors: ScimErrorStatus[];
}

/** Documents a SCIM route of the Users or Groups resource: operation, body, answer and errors. */
export function ApiScimRoute(doc: ScimRouteDoc): MethodDecorator {
  const { status, description, example } = doc.answer;
  return applyDecorators(
    ApiOperation({ summary: doc.summary, description: doc.description }),
    ...(doc.body === undefined
      ? []
      : [
          ApiConsumes(SCIM_CONTENT_TYPE, 'application/json'),
          ApiProduces(SCIM_CONTENT_TYPE),
          ApiBody({ schema: { type: 'object', example: doc.body } }),
        ]),
    ApiResponse({
      status,
      description,
      ...(example === undefined ? {} : { content: { [SCIM_CONTENT_TYPE]: { example } } }),
    }),
    ApiScimErrors(...doc.errors),
  );
}

/**
 * Documents a list route: `filter` (with an example), `startIndex` and `count`, a ListResponse of
 * one `resource`, and 400 for a filter it does not take.
 */
export function ApiScimList(
  doc: Pick<ScimRouteDoc, 'summary' | 'description'> & { filter: string; resource: unknown },
): MethodDecorator {
  return applyDecorators(
    ApiQuery({ name: 'filter', required: false, example: doc.filter }),
    ApiQuery({ name: 'startIndex', required: false, example: 1 }),
    ApiQuery({ name: 'count', required: false, example: DEFAULT_SCIM_PAGE }),
    ApiScimRoute({
      summary: doc.summary,
      description: doc.description,
      answer: {
        status: 200,
        description: 'A ListResponse.',
        example: {
          schemas: [LIST_RESPONSE_SCHEMA],
          totalResults: 1,
          startIndex: 1,
          itemsPerPage: 1,
          Resources: [doc.resource],
        },
      },
      errors: [400],
    }),
  );
}

/**
 * A SCIM controller: `@Public()` to the user authentication guard, so that {@link ScimAuthGuard}
 * — a provisioning token and nothing else — is its only gate; errors in the SCIM schema; SCIM
 * responses; documented under the provisioning-token scheme.
 */
export function ScimController(path?: string): ClassDecorator {
  return applyDecorators(
    ApiTags('SCIM 2.0'),
    ApiBearerAuth('provisioning-token'),
    ApiProduces(SCIM_CONTENT_TYPE),
    ApiScimErrors(401, 429),
    Public(),
    UseGuards(ScimAuthGuard),
    UseFilters(ScimErrorFilter),
    UseInterceptors(ScimResponseInterceptor),
    Controller(path ?? ''),
  );
}
