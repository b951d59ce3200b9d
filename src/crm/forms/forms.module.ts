import { Module } from '@nestjs/common';
import { CrmModule } from '../crm.module';
import { FormSubmissionThrottle } from './form-submission-throttle';
import { FormSubmissionService } from './form-submission.service';
import { FormSubmissionUploadInterceptor } from './form-submission-upload.interceptor';
import { FormSubmissionsController } from './form-submissions.controller';
import { FormService } from './form.service';
import { FormsConfigurableModule } from './forms.module-definition';
import { FormsController } from './forms.controller';
import { FormSubmissionNotifications } from './form-submission-notifications';

/**
 * CRM forms, their public submissions and the notifications they send to the shared inbox:
 * `FormsModule.forRoot({ maxSubmissionsPerIp, submissionWindowSeconds, attachments })` next to
 * `CrmModule`, `attachments` being the host's `AttachmentsModule.forRoot(...)` (it stores file fields).
 * Its tables (`crm_form`, `crm_form_submission`) are in `CRM_ENTITIES`.
 */
@Module({
  imports: [CrmModule],
  controllers: [FormsController, FormSubmissionsController],
  providers: [
    FormService,
    FormSubmissionService,
    FormSubmissionThrottle,
    FormSubmissionUploadInterceptor,
    FormSubmissionNotifications,
  ],
})
export class FormsModule extends FormsConfigurableModule {}
