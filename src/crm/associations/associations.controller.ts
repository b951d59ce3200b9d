import { Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, IdParam } from '@custos/core';
import { OBJECT_TYPE_NAMES, ObjectTypeParam } from '../kernel';
import { AssociationService } from './association.service';

class AssociatedIdsDto {
  @ApiProperty({ type: [String], example: ['0193a6c4-7f1e-7c3a-9d1e-000000000031'] })
  results!: string[];
}

@ApiTags('associations')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiParam({ name: 'objectType', enum: OBJECT_TYPE_NAMES, example: 'contacts' })
@ApiParam({ name: 'toObjectType', enum: OBJECT_TYPE_NAMES, example: 'companies' })
@ApiProblemResponses('unauthenticated', 'forbidden', 'not_found', 'validation')
@Controller('api/v1/objects/:objectType/:recordId/associations/:toObjectType')
export class AssociationsController {
  constructor(private readonly associations: AssociationService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Ids of the associated records of another object type' })
  @ApiOkResponse({ type: AssociatedIdsDto })
  async list(
    @ObjectTypeParam('objectType') objectType: string,
    @IdParam('recordId') id: string,
    @ObjectTypeParam('toObjectType') toType: string,
  ): Promise<AssociatedIdsDto> {
    return { results: await this.associations.list(objectType, id, toType) };
  }

  @Put(':toRecordId')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({
    summary: 'Associate two records',
    description:
      'Contacts ↔ companies, deals ↔ contacts, deals ↔ companies. Associating twice is harmless.',
  })
  @ApiNoContentResponse({ description: 'Associated.' })
  async associate(
    @ObjectTypeParam('objectType') objectType: string,
    @IdParam('recordId') id: string,
    @ObjectTypeParam('toObjectType') toType: string,
    @IdParam('toRecordId') toId: string,
  ): Promise<void> {
    await this.associations.associate(objectType, id, toType, toId);
  }

  @Delete(':toRecordId')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Remove an association' })
  @ApiNoContentResponse({ description: 'Removed.' })
  async dissociate(
    @ObjectTypeParam('objectType') objectType: string,
    @IdParam('recordId') id: string,
    @ObjectTypeParam('toObjectType') toType: string,
    @IdParam('toRecordId') toId: string,
  ): Promise<void> {
    await this.associations.dissociate(objectType, id, toType, toId);
  }
}
