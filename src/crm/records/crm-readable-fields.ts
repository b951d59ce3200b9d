import { Injectable } from '@nestjs/common';
import { BUSINESS_UNIT_FIELD, OWNER_FIELD, type ReadableFields } from '@custos/access';
import { PropertySchemaService } from '../properties';
import { CrmAccessService } from './crm-access.service';

/** The property that holds a record's owner, which record rules name `ownerId`. */
const OWNER_PROPERTY = 'owner_id';

/**
 * The fields of an object type the request's actor may read, as `RecordAccess.canView` decides
 * for reads (field permissions and, for sensitive properties, who may see them in clear).
 */
@Injectable()
export class CrmReadableFields implements ReadableFields {
  constructor(
    private readonly properties: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
  ) {}

  async readableBy(objectType: string): Promise<ReadonlySet<string>> {
    const schema = await this.properties.schema(objectType);
    const access = await this.crmAccess.forSchema(schema);
    const readable = new Set([...schema.byName.keys()].filter((name) => access.canView(name)));
    if (readable.has(OWNER_PROPERTY)) {
      readable.add(OWNER_FIELD);
    }
    // A record's business unit is no property: no field permission restricts it.
    readable.add(BUSINESS_UNIT_FIELD);
    return readable;
  }
}
