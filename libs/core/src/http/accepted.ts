import {
  applyDecorators,
  HttpCode,
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { ApiAcceptedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';

/** Sets `Location` to the request's path followed by the returned body's `id`. */
@Injectable()
class LocationOfAccepted implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler<{ id: string }>): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    return next.handle().pipe(
      map((body) => {
        // Under whatever prefix the host mounted the route.
        const path = request.originalUrl.split('?')[0].replace(/\/$/, '');
        response.location(`${path}/${encodeURIComponent(body.id)}`);
        return body;
      }),
    );
  }
}

/**
 * A `POST` that starts work in the background: 202 Accepted with the work's view (which has an
 * `id`), and `Location` naming where to poll it — the route's path followed by that id. Documents
 * the response and its header.
 */
export function AcceptedWithLocation(response: {
  type: Type<unknown>;
  description: string;
}): MethodDecorator {
  return applyDecorators(
    HttpCode(202),
    UseInterceptors(LocationOfAccepted),
    ApiAcceptedResponse({
      ...response,
      headers: {
        Location: {
          description: 'Where to poll it: this path followed by its id.',
          schema: {
            type: 'string',
            example: '/api/v1/exports/0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e',
          },
        },
      },
    }),
  );
}
