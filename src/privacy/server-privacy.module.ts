import { Global, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import {
  ErasureRules,
  PERSONAL_DATA_REGISTRY,
  PRIVACY_ASSIGNEES,
  PRIVACY_FILE_READERS,
  PRIVACY_PROCESSORS,
  PRIVACY_READABLE_RECORDS,
  PRIVACY_SEALED_VALUE_PROBES,
  PRIVACY_VALUE_READERS,
  PrivilegeHolderAssignees,
  SUBJECT_KEY_SHREDDER,
  USER_ERASURE_GATE,
  type PersonalDataRegistry,
} from '@custos/privacy';
import { RecordsModule } from '../crm/records';
import { CrmAttachmentFiles } from './crm-attachment-files';
import { CrmRecordValues } from './crm-record-values';
import { CrmHistoryValues } from './crm-history-values';
import { CrmReadableRecords } from './crm-readable-records';
import { CrmRetentionRecords } from './crm-retention-records';
import { CrmSealedValueProbes } from './crm-sealed-value-probes';
import { CrmUniqueValues } from './crm-unique-values';
import { CustomPropertyData } from './custom-property-data';
import { ClosedWonDealsBlocker } from './erasure/closed-won-deals.blocker';
import {
  CrmContactEraser,
  CrmCustomValuesEraser,
  EXPORT_LOG_KEEPS,
  EXPORT_RECIPIENTS_KEEP,
} from './erasure/crm-record-erasers';
import { UserDataErasers } from './erasure/user-erasers';
import { MemberErasure } from '@custos/identity';
import { ExportRecipients } from './export-recipients';
import { ErasedSubjectGuard } from './erasure/erased-subject-guard';
import { ContactKeyShredder } from './erasure/contact-key-shredder';
import { PartnerProcessors } from './partner-processors';
import { SERVER_PERSONAL_DATA } from './server-personal-data';

/**
 * Declares the server's personal data (`SERVER_PERSONAL_DATA`, custom properties) at boot, and
 * what erasure must know beyond it: the export log keeps its files and the records they carried.
 */
@Injectable()
export class ServerPersonalData implements OnModuleInit {
  constructor(
    @Inject(PERSONAL_DATA_REGISTRY) private readonly registry: PersonalDataRegistry,
    private readonly customProperties: CustomPropertyData,
    private readonly erasure: ErasureRules,
  ) {}

  onModuleInit(): void {
    SERVER_PERSONAL_DATA.forEach((source) => this.registry.register(source));
    this.customProperties
      .providers()
      .forEach((provider) => this.registry.registerProvider(provider));
    this.erasure.addEraser(EXPORT_LOG_KEEPS);
    this.erasure.addEraser(EXPORT_RECIPIENTS_KEEP);
  }
}

/**
 * What the server gives `@custos/privacy`: its personal-data declarations, assignees resolved by
 * identity (members holding `manage_privacy_requests`), processors (partner firms); for erasure
 * the closed-won-deal blocker, the CRM's erasers and the subject-key port; companies and deals
 * for retention policies; for the subject lookup, the blind-index probes of sealed CRM values,
 * contacts', companies' and deals' values, history, unique values and attachments' contents as
 * the operator may read them, the records they may read (the rest of a contact's data read
 * directly is shown only on those), and the exports that carried a contact.
 */
@Global()
@Module({
  imports: [RecordsModule],
  providers: [
    CrmSealedValueProbes,
    { provide: PRIVACY_SEALED_VALUE_PROBES, useExisting: CrmSealedValueProbes },
    CrmRecordValues,
    CrmHistoryValues,
    ExportRecipients,
    CrmUniqueValues,
    {
      provide: PRIVACY_VALUE_READERS,
      useFactory: (
        records: CrmRecordValues,
        history: CrmHistoryValues,
        unique: CrmUniqueValues,
        exports: ExportRecipients,
      ) => [...records.readers(), history, unique, exports],
      inject: [CrmRecordValues, CrmHistoryValues, CrmUniqueValues, ExportRecipients],
    },
    CrmReadableRecords,
    { provide: PRIVACY_READABLE_RECORDS, useExisting: CrmReadableRecords },
    CrmAttachmentFiles,
    {
      provide: PRIVACY_FILE_READERS,
      useFactory: (attachments: CrmAttachmentFiles) => [attachments],
      inject: [CrmAttachmentFiles],
    },
    ServerPersonalData,
    CustomPropertyData,
    PrivilegeHolderAssignees,
    { provide: PRIVACY_ASSIGNEES, useExisting: PrivilegeHolderAssignees },
    PartnerProcessors,
    { provide: PRIVACY_PROCESSORS, useExisting: PartnerProcessors },
    ClosedWonDealsBlocker,
    CrmRetentionRecords,
    CrmContactEraser,
    CrmCustomValuesEraser,
    ErasedSubjectGuard,
    ContactKeyShredder,
    { provide: SUBJECT_KEY_SHREDDER, useExisting: ContactKeyShredder },
    UserDataErasers,
    { provide: USER_ERASURE_GATE, useExisting: MemberErasure },
  ],
  exports: [
    PRIVACY_ASSIGNEES,
    PRIVACY_PROCESSORS,
    SUBJECT_KEY_SHREDDER,
    USER_ERASURE_GATE,
    PRIVACY_SEALED_VALUE_PROBES,
    PRIVACY_VALUE_READERS,
    PRIVACY_READABLE_RECORDS,
    PRIVACY_FILE_READERS,
  ],
})
export class ServerPrivacyModule {}
