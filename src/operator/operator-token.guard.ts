import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { CustosError } from '@custos/core';
import { OPERATOR_MODULE_OPTIONS, type OperatorModuleOptions } from './operator.module-definition';

/** Header of the operator token: `Authorization: Bearer` belongs to account users. */
export const OPERATOR_TOKEN_HEADER = 'x-operator-token';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Lets a request through only with the configured operator token. The routes it guards are
 * `@Public()` to the user authentication guard, so this guard is their only gate. Comparing
 * fixed-length SHA-256 digests in constant time reveals neither the token nor its length.
 */
@Injectable()
export class OperatorTokenGuard implements CanActivate {
  private readonly logger = new Logger('OperatorApi');
  private readonly expected: Buffer | undefined;

  constructor(@Inject(OPERATOR_MODULE_OPTIONS) options: OperatorModuleOptions) {
    this.expected = options.token ? digest(options.token) : undefined;
  }

  canActivate(execution: ExecutionContext): boolean {
    if (!this.expected) {
      throw new CustosError(
        'not_found',
        'operator.disabled',
        'The operator API is off on this server; set CUSTOS_OPERATOR_TOKEN to turn it on.',
      );
    }
    const presented = execution.switchToHttp().getRequest<Request>().headers[OPERATOR_TOKEN_HEADER];
    if (typeof presented !== 'string' || !timingSafeEqual(digest(presented), this.expected)) {
      this.logger.warn('An operator API request was refused: missing or wrong operator token.');
      throw new CustosError(
        'unauthenticated',
        'operator.invalid_token',
        'Present the operator token of this server in the X-Operator-Token header.',
      );
    }
    return true;
  }
}
