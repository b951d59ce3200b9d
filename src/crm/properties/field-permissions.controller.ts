import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FieldPermissionService, FieldPermissionsDto } from '@custos/access';
import { ApiProblemResponses, RequirePrivilege } from '@custos/core';

/**
 * Field permissions of a CRM property: the access lib keeps them per subject and field; the URL
 * in the CRM's vocabulary (object type, property name) is the host's.
 */
@ApiTags('field permissions')
@ApiBearerAuth()
@ApiProblemResponses('unauthenticated', 'forbidden', 'not_found', 'validation')
@Controller('api/v1/properties/:objectType/:name/permissions')
export class FieldPermissionsController {
  constructor(private readonly permissions: FieldPermissionService) {}

  @Get()
  @RequirePrivilege('manage_roles')
  @ApiOperation({ summary: 'Who may view and edit a property' })
  @ApiOkResponse({ type: FieldPermissionsDto })
  get(
    @Param('objectType') objectType: string,
    @Param('name') name: string,
  ): Promise<FieldPermissionsDto> {
    return this.permissions.get(objectType, name);
  }

  @Put()
  @RequirePrivilege('manage_roles')
  @ApiOperation({
    summary: 'Set who may view and edit a property (allow-lists)',
    description:
      'Empty lists open the property to everyone with record access. Super admins are always allowed. You can grant only what you may do yourself.',
  })
  @ApiOkResponse({ type: FieldPermissionsDto })
  replace(
    @Param('objectType') objectType: string,
    @Param('name') name: string,
    @Body() body: FieldPermissionsDto,
  ): Promise<FieldPermissionsDto> {
    return this.permissions.replace(objectType, name, body);
  }
}
