import { Injectable } from '@nestjs/common';
import { ClsService, ClsStore } from 'nestjs-cls';
import type { Actor } from './actor';
import { CustosError } from '../errors/custos-error';

/** What Custos keeps in the per-request continuation-local store. */
export interface CustosClsStore extends ClsStore {
  actor?: Actor;
  requestId?: string;
  /**
   * Mutable on purpose: nested contexts (transactions, `runAs`) copy the store shallowly, so a
   * change of rights made inside one is forgotten for the whole request.
   */
  accessVersion?: { accountId: string; version: number | undefined };
}

/**
 * The actor and account of the current request (or job), available to any service, guard or
 * TypeORM subscriber without passing them by hand. Backed by nestjs-cls.
 */
@Injectable()
export class RequestContext {
  constructor(private readonly cls: ClsService<CustosClsStore>) {}

  /** The current actor, or `undefined` outside an authenticated request. */
  get actor(): Actor | undefined {
    return this.cls.isActive() ? this.cls.get('actor') : undefined;
  }

  /** The current actor; throws `unauthenticated` when there is none. */
  requireActor(): Actor {
    const actor = this.actor;
    if (!actor) {
      throw new CustosError(
        'unauthenticated',
        'core.unauthenticated',
        'Authentication is required.',
      );
    }
    return actor;
  }

  /** The account every query of this request is scoped to. */
  requireAccountId(): string {
    return this.requireActor().accountId;
  }

  get requestId(): string | undefined {
    return this.cls.isActive() ? this.cls.get('requestId') : undefined;
  }

  /** Binds the actor to the current context (authentication guard). */
  setActor(actor: Actor): void {
    this.cls.set('actor', actor);
  }

  /**
   * Remembers the access version of `accountId` (the counter of `@custos/access`) as read
   * together with the actor at sign-in, so the request needs no second read of it.
   */
  rememberAccessVersion(accountId: string, version: number): void {
    if (this.cls.isActive()) {
      this.cls.set('accessVersion', { accountId, version });
    }
  }

  /** The access version remembered for `accountId` in this request, unless since forgotten. */
  rememberedAccessVersion(accountId: string): number | undefined {
    const remembered = this.cls.isActive() ? this.cls.get('accessVersion') : undefined;
    return remembered?.accountId === accountId ? remembered.version : undefined;
  }

  /** This request changes rights: the remembered version is no longer the current one. */
  forgetAccessVersion(): void {
    const remembered = this.cls.isActive() ? this.cls.get('accessVersion') : undefined;
    if (remembered) {
      remembered.version = undefined;
    }
  }

  /**
   * Runs `work` as `actor` in a fresh context: for jobs, bootstrap code and tests. `requestId`
   * correlates the audit events and logs of a job; default: the enclosing request's, if any.
   */
  runAs<T>(actor: Actor, work: () => Promise<T>, options: { requestId?: string } = {}): Promise<T> {
    return this.cls.run({ ifNested: 'inherit' }, () => {
      this.cls.set('actor', actor);
      if (options.requestId !== undefined) {
        this.cls.set('requestId', options.requestId);
      }
      return work();
    });
  }
}
