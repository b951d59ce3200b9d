import { Module } from '@nestjs/common';
import { RecordsModule } from '../records';
import { Association } from './association.entity';
import { AssociationService } from './association.service';
import { AssociationsController } from './associations.controller';

export const ASSOCIATIONS_ENTITIES = [Association];

/** Associations between CRM records (contacts ↔ companies, deals ↔ both). */
@Module({
  imports: [RecordsModule],
  controllers: [AssociationsController],
  providers: [AssociationService],
})
export class AssociationsModule {}
