import { Injectable } from '@nestjs/common';
import type { ReadableProperties } from '@custos/access';
import { PropertyService } from '../properties/property.service';
import { CrmAccessService } from './crm-access.service';

/**
 * Which properties of an object type the request's actor may read — field permissions and, for
 * sensitive properties, who may see them in clear — as `RecordAccess.canView` decides for reads.
 */
@Injectable()
export class CrmReadableProperties implements ReadableProperties {
  constructor(
    private readonly properties: PropertyService,
    private readonly crmAccess: CrmAccessService,
  ) {}

  async readableBy(objectType: string): Promise<ReadonlySet<string>> {
    const schema = await this.properties.schema(objectType);
    const access = await this.crmAccess.forSchema(schema);
    return new Set([...schema.byName.keys()].filter((name) => access.canView(name)));
  }
}
