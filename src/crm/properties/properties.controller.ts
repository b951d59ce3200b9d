import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  type PipeTransform,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, RequirePrivilege } from '@custos/core';
import { OBJECT_TYPE_NAMES, ObjectTypeParam } from '../kernel';
import {
  PROPERTY_NAME_PATTERN,
  CreatePropertyDto,
  PropertyDefinitionDto,
  PropertyListDto,
  UpdatePropertyDto,
} from './property.dto';
import { PropertyDefinitionService } from './property-definition.service';
import { propertyErrors } from './properties.errors';

class ParsePropertyNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !PROPERTY_NAME_PATTERN.test(value)) {
      throw propertyErrors.invalidName();
    }
    return value;
  }
}

/** The `:name` path parameter: a malformed name is a 422, an unknown one a 404. */
const PropertyNameParam = () => Param('name', new ParsePropertyNamePipe());

@ApiTags('properties')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiParam({ name: 'objectType', enum: OBJECT_TYPE_NAMES, example: 'contacts' })
@ApiProblemResponses('unauthenticated', 'forbidden', 'not_found', 'validation')
@Controller('api/v1/properties/:objectType')
export class PropertiesController {
  constructor(private readonly properties: PropertyDefinitionService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List the properties of an object type',
    description:
      'Standard properties first, then custom ones. A score rule testing a property you may not read is shown without its value (`valueRedacted`).',
  })
  @ApiOkResponse({ type: PropertyListDto })
  async list(@ObjectTypeParam('objectType') objectType: string): Promise<PropertyListDto> {
    return { results: await this.properties.list(objectType) };
  }

  @Post()
  @RequirePrivilege('manage_properties')
  @ApiOperation({
    summary: 'Create a custom property',
    description:
      'Score and calculation properties are computed and cannot be unique or required; computing one from a property you may not read (directly or through another computed one) is 403 naming it. `indexed: true` keeps an index on the value for filters and sorts (not for sensitive or file properties: 422 naming `indexed`).',
  })
  @ApiCreatedResponse({ type: PropertyDefinitionDto })
  @ApiProblemResponses('validation', 'conflict')
  create(
    @ObjectTypeParam('objectType') objectType: string,
    @Body() body: CreatePropertyDto,
  ): Promise<PropertyDefinitionDto> {
    return this.properties.create(objectType, body);
  }

  @Get(':name')
  @Authenticated()
  @ApiOperation({
    summary: 'Get a property definition',
    description:
      'A score rule testing a property you may not read is shown without its value (`valueRedacted`).',
  })
  @ApiOkResponse({ type: PropertyDefinitionDto })
  get(
    @ObjectTypeParam('objectType') objectType: string,
    @PropertyNameParam() name: string,
  ): Promise<PropertyDefinitionDto> {
    return this.properties.get(objectType, name);
  }

  @Patch(':name')
  @RequirePrivilege('manage_properties')
  @ApiOperation({
    summary: 'Update a custom property',
    description:
      'Standard properties cannot change (409); the type changes only while no record has a value, and not while the property is `indexed`; `unique` never changes. A computed property over a property you may not read cannot be changed (403 naming it). `indexed: true` builds an index on the value (on PostgreSQL in the background: see `indexState`), `indexed: false` drops it.',
  })
  @ApiOkResponse({ type: PropertyDefinitionDto })
  @ApiProblemResponses('validation', 'conflict')
  update(
    @ObjectTypeParam('objectType') objectType: string,
    @PropertyNameParam() name: string,
    @Body() body: UpdatePropertyDto,
  ): Promise<PropertyDefinitionDto> {
    return this.properties.update(objectType, name, body);
  }

  @Delete(':name')
  @HttpCode(204)
  @RequirePrivilege('manage_properties')
  @ApiOperation({
    summary: 'Delete a custom property and all its values',
    description:
      'Standard properties cannot be deleted (409). Deleting a file property also destroys the files it holds (their attachments at once, the stored bytes with the sweep).',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblemResponses('conflict')
  async remove(
    @ObjectTypeParam('objectType') objectType: string,
    @PropertyNameParam() name: string,
  ): Promise<void> {
    await this.properties.remove(objectType, name);
  }
}
