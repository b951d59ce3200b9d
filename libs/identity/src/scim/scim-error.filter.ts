import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { statusOfKind, toCustosError } from '@custos/core';

export const SCIM_CONTENT_TYPE = 'application/scim+json';
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The body of every SCIM error (RFC 7644 §3.12): `status` is a string there. */
export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: string;
  detail: string;
}

/** Identity's conflicts that mean "already exists", which SCIM clients recognise by `uniqueness`. */
const UNIQUENESS_CODES = new Set(['identity.already_member', 'identity.duplicate_name']);

/**
 * Writes `exception` as a SCIM error: known errors keep their detail, kinds map to statuses
 * through core's one switch except validation, which is 400 in SCIM (it has no 422); anything
 * else is a bug, logged and answered with a bare 500.
 */
function sendScimError(
  exception: unknown,
  request: Request & { id?: string },
  response: Response,
  logger: Logger,
): void {
  const error = toCustosError(exception);
  let body: ScimErrorBody;
  if (!error) {
    logger.error({ err: exception, requestId: request.id }, 'Unhandled error in SCIM');
    body = { schemas: [SCIM_ERROR_SCHEMA], status: '500', detail: 'An unexpected error occurred.' };
  } else {
    const status = error.kind === 'validation' ? 400 : statusOfKind(error.kind).status;
    const scimType =
      (error.options.extensions?.scimType as string | undefined) ??
      (UNIQUENESS_CODES.has(error.code)
        ? 'uniqueness'
        : error.kind === 'validation'
          ? 'invalidValue'
          : error.code === 'core.malformed_json'
            ? 'invalidSyntax'
            : undefined);
    body = { schemas: [SCIM_ERROR_SCHEMA], status: String(status), detail: error.detail };
    if (scimType) {
      body.scimType = scimType;
    }
    if (error.options.retryAfterSeconds !== undefined) {
      response.setHeader('Retry-After', String(error.options.retryAfterSeconds));
    }
  }
  if (response.headersSent) {
    return;
  }
  response.status(Number(body.status)).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

/**
 * Renders every error of the SCIM routes — authentication, rate limit, validation, conflicts,
 * bugs — in the SCIM error schema instead of problem details.
 */
@Catch()
export class ScimErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Scim');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendScimError(exception, http.getRequest(), http.getResponse(), this.logger);
  }
}

/**
 * An Express error middleware for the host to add right after its body parser: a body under
 * `mountPath` that is not JSON or too large is refused before any route runs, and this answers
 * it in the SCIM error schema too (other paths pass on to the host's own handling).
 */
export function scimBodyErrors(
  mountPath = '/scim/v2',
): (error: unknown, request: Request, response: Response, next: (error: unknown) => void) => void {
  const logger = new Logger('Scim');
  return (error, request, response, next) => {
    if (request.path === mountPath || request.path.startsWith(`${mountPath}/`)) {
      sendScimError(error, request, response, logger);
    } else {
      next(error);
    }
  };
}
