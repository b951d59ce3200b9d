import { Module } from '@nestjs/common';
import { RecordsModule } from '../records';
import { FormPropertyUsage } from './form-property-usage';
import { FormSubmission } from './form-submission.entity';
import { FormSubmissionThrottle } from './form-submission-throttle';
import { FormSubmissionService } from './form-submission.service';
import { FormSubmissionUploadInterceptor } from './form-submission-upload.interceptor';
import { FormSubmissionsController } from './form-submissions.controller';
import { CrmForm } from './form.entity';
import { FormService } from './form.service';
import { FormsConfigurableModule } from './forms.module-definition';
import { FormsController } from './forms.controller';
import { FormSubmissionNotifications } from './form-submission-notifications';

export const FORMS_ENTITIES = [CrmForm, FormSubmission];

/**
 * CRM forms, their public submissions and the notifications they send to the shared inbox:
 * `FormsModule.forRoot({ maxSubmissionsPerIp, submissionWindowSeconds, attachments })` next to
 * `CrmModule`, `attachments` being the host's `AttachmentsModule.forRoot(...)` (it stores file fields).
 */
@Module({
  imports: [RecordsModule],
  controllers: [FormsController, FormSubmissionsController],
  providers: [
    FormService,
    FormPropertyUsage,
    FormSubmissionService,
    FormSubmissionThrottle,
    FormSubmissionUploadInterceptor,
    FormSubmissionNotifications,
  ],
})
export class FormsModule extends FormsConfigurableModule {}
