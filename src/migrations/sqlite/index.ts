import { PropertyDataCategory1796500369682 } from './1796500369682-PropertyDataCategory';
import { OwnerFilterIndexes1796495761265 } from './1796495761265-OwnerFilterIndexes';
import { CrmMailings1796510000000 } from './1796510000000-CrmMailings';
import { CrmMailingOutcomes1797400000000 } from './1797400000000-CrmMailingOutcomes';
import { FormConsents1796496210639 } from './1796496210639-FormConsents';
import type { MigrationClass } from '@custos/core';
import { CrmLookupIndexes1797400000000 } from './1797400000000-CrmLookupIndexes';
import { RecordCounts1797500000000 } from './1797500000000-RecordCounts';
import { RecordLiveCounts1798150000000 } from './1798150000000-RecordLiveCounts';
import { CustomValueCounts1798200000000 } from './1798200000000-CustomValueCounts';
import { CrmContactPhoneKey1797900000000 } from './1797900000000-CrmContactPhoneKey';
import { Crm1795375304585 } from './1795375304585-Crm';
import { CrmImports1795375942833 } from './1795375942833-CrmImports';
import { ScopeIndexes1795377377931 } from './1795377377931-ScopeIndexes';
import { CrmSensitiveData1795383997230 } from './1795383997230-CrmSensitiveData';
import { SensitiveDataIntegrations1795384359603 } from './1795384359603-SensitiveDataIntegrations';
import { Attachments1795384524576 } from './1795384524576-Attachments';
import { CrmHistoryKeyIndex1795385014473 } from './1795385014473-CrmHistoryKeyIndex';
import { Forms1796272919192 } from './1796272919192-Forms';
import { SegmentSharing1796448368332 } from './1796448368332-SegmentSharing';
import { AttachmentHolders1796448428284 } from './1796448428284-AttachmentHolders';
import { FormNotificationsToInbox1796460704521 } from './1796460704521-FormNotificationsToInbox';
import { IndexedCustomProperties1796471122691 } from './1796471122691-IndexedCustomProperties';
import { LiveRecordIndexes1796472263873 } from './1796472263873-LiveRecordIndexes';
import { CustomPropertyScopeIndexes1796480000000 } from './1796480000000-CustomPropertyScopeIndexes';
import { CountIndexesWithLive1798400000000 } from './1798400000000-CountIndexesWithLive';

/** The sqlite migrations of the server's own tables, oldest first (the libs bring theirs). */
export const SQLITE_SERVER_MIGRATIONS: MigrationClass[] = [
  Crm1795375304585,
  CrmImports1795375942833,
  ScopeIndexes1795377377931,
  CrmSensitiveData1795383997230,
  SensitiveDataIntegrations1795384359603,
  Attachments1795384524576,
  CrmHistoryKeyIndex1795385014473,
  Forms1796272919192,
  SegmentSharing1796448368332,
  AttachmentHolders1796448428284,
  FormNotificationsToInbox1796460704521,
  IndexedCustomProperties1796471122691,
  LiveRecordIndexes1796472263873,
  CustomPropertyScopeIndexes1796480000000,
  OwnerFilterIndexes1796495761265,
  FormConsents1796496210639,
  PropertyDataCategory1796500369682,
  CrmMailings1796510000000,
  CrmMailingOutcomes1797400000000,
  CrmLookupIndexes1797400000000,
  RecordCounts1797500000000,
  CrmContactPhoneKey1797900000000,
  RecordLiveCounts1798150000000,
  CustomValueCounts1798200000000,
  CountIndexesWithLive1798400000000,
];
