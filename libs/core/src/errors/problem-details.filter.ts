import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { CustosError, ErrorKind } from './custos-error';
import { PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem-details';

interface KindMapping {
  status: number;
  title: string;
}

/** The single place where an error kind becomes an HTTP status. */
export function statusOfKind(kind: ErrorKind): KindMapping {
  switch (kind) {
    case 'bad_request':
      return { status: HttpStatus.BAD_REQUEST, title: 'Bad Request' };
    case 'unauthenticated':
      return { status: HttpStatus.UNAUTHORIZED, title: 'Unauthorized' };
    case 'forbidden':
      return { status: HttpStatus.FORBIDDEN, title: 'Forbidden' };
    case 'not_found':
      return { status: HttpStatus.NOT_FOUND, title: 'Not Found' };
    case 'conflict':
      return { status: HttpStatus.CONFLICT, title: 'Conflict' };
    case 'gone':
      return { status: HttpStatus.GONE, title: 'Gone' };
    case 'validation':
      return { status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Unprocessable Content' };
    case 'payload_too_large':
      return { status: HttpStatus.PAYLOAD_TOO_LARGE, title: 'Content Too Large' };
    case 'rate_limited':
      return { status: HttpStatus.TOO_MANY_REQUESTS, title: 'Too Many Requests' };
    case 'unavailable':
      return { status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Service Unavailable' };
  }
}

/** Errors raised by Express' body parser before Nest sees the request. */
interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as BodyParserError).type === 'string' &&
    typeof (error as BodyParserError).status === 'number'
  );
}

/** Converts anything thrown while handling a request into a CustosError; unknown errors yield `null`. */
export function toCustosError(error: unknown): CustosError | null {
  if (error instanceof CustosError) {
    return error;
  }
  // Nest wraps body-parser failures in an HttpException whose `cause` is the parser's error.
  const parserError = error instanceof HttpException ? error.cause : error;
  if (isBodyParserError(parserError)) {
    switch (parserError.type) {
      case 'entity.too.large':
        return new CustosError(
          'payload_too_large',
          'core.payload_too_large',
          'The request body is larger than this server accepts.',
        );
      case 'entity.parse.failed':
        return new CustosError(
          'bad_request',
          'core.malformed_json',
          'The request body is not valid JSON.',
        );
      default:
        return new CustosError(
          'bad_request',
          'core.unreadable_body',
          'The request body could not be read.',
        );
    }
  }
  if (error instanceof HttpException) {
    const status = error.getStatus() as HttpStatus;
    switch (status) {
      case HttpStatus.NOT_FOUND:
        return new CustosError(
          'not_found',
          'core.route_not_found',
          'No route matches this method and path.',
        );
      case HttpStatus.PAYLOAD_TOO_LARGE:
        return new CustosError(
          'payload_too_large',
          'core.payload_too_large',
          'The request body is larger than this server accepts.',
        );
      case HttpStatus.UNAUTHORIZED:
        return new CustosError(
          'unauthenticated',
          'core.unauthenticated',
          'Authentication is required.',
        );
      case HttpStatus.FORBIDDEN:
        return new CustosError('forbidden', 'core.forbidden', 'You are not allowed to do this.');
      case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      case HttpStatus.BAD_REQUEST:
      case HttpStatus.METHOD_NOT_ALLOWED:
        return new CustosError(
          'bad_request',
          'core.bad_request',
          'The request could not be understood.',
        );
      default:
        return null;
    }
  }
  return null;
}

/**
 * Renders every error as an RFC 9457 `application/problem+json` document. Known errors keep
 * their detail; anything else is a bug, logged server-side and answered with a bare 500 that
 * reveals nothing (no stack, no SQL, no values).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(exception, request);
    if (response.headersSent) {
      return;
    }
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown, request: Request & { id?: string }): ProblemDetails {
    const requestId = typeof request.id === 'string' ? request.id : undefined;
    const error = toCustosError(exception);
    if (!error) {
      this.logger.error({ err: exception, requestId }, 'Unhandled error while serving a request');
      return {
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'An unexpected error occurred. Quote the request id when reporting it.',
        code: 'core.internal',
        requestId,
      };
    }
    const { status, title } = statusOfKind(error.kind);
    const problem: ProblemDetails = {
      ...error.options.extensions,
      type: `urn:custos:problem:${error.code}`,
      title,
      status,
      detail: error.detail,
      instance: request.originalUrl?.split('?')[0],
      code: error.code,
      requestId,
    };
    if (error.options.errors?.length) {
      problem.errors = [...error.options.errors];
    }
    if (error.options.retryAfterSeconds !== undefined) {
      request.res?.setHeader('Retry-After', String(error.options.retryAfterSeconds));
    }
    return problem;
  }
}
