import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CONSENT_CONTACTS, type ConsentContacts } from './consent-contacts.port';

/** The host's {@link ConsentContacts}, looked up (not imported) in whichever module provides it. */
@Injectable()
export class HostContacts implements OnModuleInit {
  private port: ConsentContacts | undefined;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    try {
      this.port = this.moduleRef.get<ConsentContacts>(CONSENT_CONTACTS, { strict: false });
    } catch {
      // Checked when first needed, with a message saying how to fix it.
    }
  }

  get contacts(): ConsentContacts {
    if (!this.port) {
      throw new Error(
        '@custos/consent needs the host to provide CONSENT_CONTACTS (an implementation of ConsentContacts).',
      );
    }
    return this.port;
  }
}
