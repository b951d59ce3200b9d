import { CONSENT_CONTACTS, type ConsentContacts } from '@custos/consent';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';

/**
 * The host's contacts as `@custos/consent` knows them (`CONSENT_CONTACTS`): whether the actor may
 * read one (invisible → 404), and its addresses. Looked up where the host provides it.
 */
@Injectable()
export class PrivacyHostContacts {
  private port: ConsentContacts | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  get contacts(): ConsentContacts {
    if (!this.port) {
      try {
        this.port = this.moduleRef.get<ConsentContacts>(CONSENT_CONTACTS, { strict: false });
      } catch {
        throw new Error(
          "@custos/privacy's rights need the host to provide CONSENT_CONTACTS (an implementation of @custos/consent's ConsentContacts).",
        );
      }
    }
    return this.port;
  }
}
