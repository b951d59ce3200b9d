import { Module } from '@nestjs/common';
import { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';
import { RecordsModule } from '../records';
import { SegmentsModule } from '../segments';
import { Mailing, MailingRecipient } from './mailing.entity';
import { MailingBounces } from './mailing-bounces';
import { MailingSelection } from './mailing-selection';
import { MailingSender } from './mailing-sender';
import { MailingService } from './mailing.service';
import { MailingsController } from './mailings.controller';

export const MAILINGS_ENTITIES = [Mailing, MailingRecipient];

/** Mass mailings to the marketing audience, sent by a job through the mail outbox. */
@Module({
  imports: [RecordsModule, SegmentsModule, SensitiveDataModule],
  controllers: [MailingsController],
  providers: [MailingBounces, MailingSelection, MailingSender, MailingService],
})
export class MailingsModule {}
