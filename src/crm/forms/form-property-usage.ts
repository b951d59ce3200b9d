import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PropertyUsageRegistry, type PropertyUsage, type UsedProperty } from '../properties';
import { CrmForm } from './form.entity';
import { formErrors } from './forms.errors';

/** A property that forms collect stays until it is taken off them: their submissions would fail. */
@Injectable()
export class FormPropertyUsage implements PropertyUsage, OnModuleInit {
  constructor(private readonly usages: PropertyUsageRegistry) {}

  onModuleInit(): void {
    this.usages.add(this);
  }

  async refuseRemoval(
    manager: EntityManager,
    { accountId, objectType, definition }: UsedProperty,
  ): Promise<void> {
    const forms = (
      await manager.find(CrmForm, {
        select: { id: true, name: true, fields: true },
        where: { accountId, objectType: objectType.name },
      })
    ).filter((form) => form.fields.some((field) => field.property === definition.name));
    if (forms.length > 0) {
      throw formErrors.propertyOnForms(definition.name, forms);
    }
  }
}
