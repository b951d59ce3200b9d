import { SubjectKeyRecord } from '../subjects/subject-key.entity';
import { DataKeyRecord } from './data-key.entity';

/** Every entity of `@custos/crypto`, for the host's DataSource and migrations. */
export const CRYPTO_ENTITIES = [DataKeyRecord, SubjectKeyRecord];
