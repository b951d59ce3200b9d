import { Module, type DynamicModule } from '@nestjs/common';
import { MailOutbox } from './mail-outbox';
import { MailOutboxController } from './mail-outbox.controller';
import { MailOutboxEntry } from './mail-outbox.entity';
import { MailConfigurableModule, MAIL_OPTIONS_TYPE } from './mail.module-definition';

/** Tables of {@link MailModule}, for the app's TypeORM entity list. */
export const MAIL_ENTITIES = [MailOutboxEntry];

/**
 * Outbound mail through a transactional outbox: `MailModule.forRoot({ from, transport })` next to
 * `CoreModule.forRoot()`, with `MAIL_ENTITIES` in the TypeORM entities. Features inject
 * {@link MailOutbox} and `enqueue` in their transaction.
 */
@Module({
  providers: [MailOutbox],
  exports: [MailOutbox],
})
export class MailModule extends MailConfigurableModule {
  static override forRoot(options: typeof MAIL_OPTIONS_TYPE): DynamicModule {
    const module = super.forRoot(options);
    return {
      ...module,
      controllers: options.registerController === false ? [] : [MailOutboxController],
    };
  }
}
