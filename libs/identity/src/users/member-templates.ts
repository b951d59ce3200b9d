import type { ModuleRef } from '@nestjs/core';
import type { Membership } from './membership.entity';
import type { User } from './user.entity';

/**
 * Port for permission templates offered by user creation (`template` of `POST /users`), such as
 * `@custos/partners`' `partner_admin`: identity does not know them, the host provides them.
 * Both calls run in the creating transaction, with the account locked.
 */
export interface MemberTemplate {
  readonly name: string;
  /**
   * Refuses (with a domain error naming `template` or `email`) when `login` may not be added with
   * this template; else the partner columns to set on the new membership.
   */
  admit(
    accountId: string,
    login: User | null,
  ): Promise<
    Pick<Membership, 'partnerFirmId' | 'partnerAccessExpiresAt' | 'partnerAccessExtendDays'>
  >;
  /** After the membership is stored (its permissions: roles and the like). */
  applied(membership: Membership, login: User): Promise<void>;
}

export const MEMBER_TEMPLATES = Symbol('custos:member-templates');

/** The host's templates, or none. */
export function lookUpTemplates(moduleRef: ModuleRef): readonly MemberTemplate[] {
  try {
    return moduleRef.get<readonly MemberTemplate[]>(MEMBER_TEMPLATES, { strict: false });
  } catch {
    return [];
  }
}
