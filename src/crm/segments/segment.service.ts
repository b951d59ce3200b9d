import { Injectable } from '@nestjs/common';
import type { SelectQueryBuilder } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  Clock,
  PageQueryDto,
  RequestContext,
  TransactionHost,
  isSuperAdminInPerson,
  keysetPage,
  mapUniqueViolation,
  newId,
  type Actor,
  type Page,
} from '@custos/core';
import { CrmAccessService, type RecordAccess } from '../records';
import { PropertySchemaService } from '../properties';
import {
  compileFilterGroups,
  quotesSensitiveValue,
  SearchService,
  tokenizeSensitiveFilters,
  type SearchPage,
  type StoredFilterGroup,
} from '../search';
import { dialectOf } from '../kernel';
import type { Shown } from '../sensitive';
import { Segment } from './segment.entity';
import { SegmentErrors } from './segments.errors';
import type {
  CreateSegmentDto,
  SegmentDto,
  SegmentFilterGroupDto,
  UpdateSegmentDto,
} from './segment.dto';

/**
 * Saved segments with an owner and a sharing level. Segments the actor may not see answer 404
 * alike (lists leave them out in SQL); seen but not editable ones 403. Filters on a property the
 * actor may not read are refused when saved, hide their values when shown, and refuse the
 * members (the search's no-oracle rule).
 */
@Injectable()
export class SegmentService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly properties: PropertySchemaService,
    private readonly search: SearchService,
    private readonly crmAccess: CrmAccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(query: PageQueryDto): Promise<Page<SegmentDto>> {
    const page = await keysetPage(this.visible(), 's.id', (s) => s.id, query);
    return { ...page, results: await this.present(page.results) };
  }

  async get(id: string): Promise<SegmentDto> {
    const [segment] = await this.present([await this.find(id)]);
    return segment;
  }

  async create(input: CreateSegmentDto): Promise<SegmentDto> {
    const actor = this.context.requireActor();
    const filterGroups = await this.storedFilters(input.objectType, input.filterGroups);
    const now = this.clock.now();
    const segment: Segment = {
      id: newId(),
      accountId: actor.accountId,
      name: input.name,
      objectType: input.objectType,
      filterGroups,
      ownerUserId: actor.userId,
      sharing: input.sharing ?? 'private',
      createdAt: now,
      updatedAt: now,
    };
    await this.uniqueName(() =>
      this.transactions.run(async (manager) => {
        await manager.insert(Segment, segment);
        await this.audit.record({
          action: 'segment.created',
          targetType: 'segment',
          targetId: segment.id,
          metadata: {
            after: {
              name: segment.name,
              objectType: segment.objectType,
              filterGroups: segment.filterGroups,
              sharing: segment.sharing,
            },
          },
        });
      }),
    );
    const [created] = await this.present([segment]);
    return created;
  }

  async update(id: string, input: UpdateSegmentDto): Promise<SegmentDto> {
    const updated = await this.uniqueName(() =>
      this.transactions.run(async (manager) => {
        const segment = await this.find(id);
        this.assertEditable(segment);
        if (input.sharing !== undefined && input.sharing !== segment.sharing) {
          this.assertOwned(segment, 'change its sharing', 'sharing');
        }
        const before = {
          name: segment.name,
          filterGroups: segment.filterGroups,
          sharing: segment.sharing,
        };
        if (input.filterGroups) {
          segment.filterGroups = await this.storedFilters(segment.objectType, input.filterGroups);
        }
        segment.name = input.name ?? segment.name;
        segment.sharing = input.sharing ?? segment.sharing;
        segment.updatedAt = this.clock.now();
        await manager.update(
          Segment,
          { id },
          {
            name: segment.name,
            filterGroups: segment.filterGroups,
            sharing: segment.sharing,
            updatedAt: segment.updatedAt,
          },
        );
        await this.audit.record({
          action: 'segment.updated',
          targetType: 'segment',
          targetId: id,
          metadata: {
            before,
            after: {
              name: segment.name,
              filterGroups: segment.filterGroups,
              sharing: segment.sharing,
            },
          },
        });
        return segment;
      }),
    );
    const [shown] = await this.present([updated]);
    return shown;
  }

  async remove(id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const segment = await this.find(id);
      this.assertEditable(segment);
      this.assertOwned(segment, 'delete it');
      await manager.delete(Segment, { id });
      await this.audit.record({
        action: 'segment.deleted',
        targetType: 'segment',
        targetId: id,
        metadata: { before: { name: segment.name } },
      });
    });
  }

  /** The segment's current members, evaluated in SQL, with the total. */
  async members(id: string, page: PageQueryDto): Promise<Shown<SearchPage>> {
    const segment = await this.find(id);
    const schema = await this.properties.schema(segment.objectType);
    return this.search.run(schema, segment.filterGroups, undefined, page);
  }

  /**
   * A segment the actor may see, as stored (its object type and saved filter groups), for a
   * feature that evaluates it itself (exports); 404 like every other segment path otherwise.
   */
  visibleSegment(id: string): Promise<Segment> {
    return this.find(id);
  }

  /**
   * The filters as the segment stores them. A segment filters only on properties its author may
   * read (403 naming the filter), its filters are compiled once so that a segment that cannot run
   * is refused when saved, and values compared with sensitive properties are kept only as their
   * blind-index tokens (the search matches those), never in clear.
   */
  private async storedFilters(
    objectType: string,
    filterGroups: CreateSegmentDto['filterGroups'],
  ): Promise<StoredFilterGroup[]> {
    const schema = await this.properties.schema(objectType);
    const access = await this.crmAccess.forSchema(schema);
    access.assertFiltersReadable(filterGroups);
    compileFilterGroups(
      schema,
      dialectOf(this.transactions.manager.connection.options.type),
      filterGroups,
    );
    return tokenizeSensitiveFilters(filterGroups, access.sensitive);
  }

  /** The actor's segments as a query: all for super admins in person, else shared or owned. */
  private visible(): SelectQueryBuilder<Segment> {
    const actor = this.context.requireActor();
    const builder = this.transactions.manager
      .createQueryBuilder(Segment, 's')
      .where('s.accountId = :accountId', { accountId: actor.accountId });
    if (isSuperAdminInPerson(actor)) {
      return builder;
    }
    return actor.userId === null
      ? builder.andWhere("s.sharing <> 'private'")
      : builder.andWhere("(s.sharing <> 'private' OR s.ownerUserId = :ownerUserId)", {
          ownerUserId: actor.userId,
        });
  }

  private async find(id: string): Promise<Segment> {
    const segment = await this.visible().andWhere('s.id = :id', { id }).getOne();
    if (!segment) {
      throw SegmentErrors.notFound();
    }
    return segment;
  }

  private assertEditable(segment: Segment): void {
    const actor = this.context.requireActor();
    if (segment.sharing !== 'shared_edit' && !ownsOrManages(actor, segment)) {
      throw SegmentErrors.notEditable();
    }
  }

  /** Changing the sharing or deleting stays with the owner (and super admins) even when shared for editing. */
  private assertOwned(segment: Segment, change: string, field?: string): void {
    if (!ownsOrManages(this.context.requireActor(), segment)) {
      throw SegmentErrors.ownerOnly(change, field);
    }
  }

  /**
   * Segments as the actor may see them: filter values on properties they may not read are left
   * out, and so are the tokens of sensitive filters (for everyone: a token is not the value).
   */
  private async present(segments: readonly Segment[]): Promise<SegmentDto[]> {
    const objectTypes = [...new Set(segments.map((s) => s.objectType))];
    const accessByType = new Map<string, RecordAccess>();
    if (objectTypes.length > 0) {
      const actorAccess = await this.crmAccess.actorAccess();
      for (const objectType of objectTypes) {
        const schema = await this.properties.schema(objectType);
        accessByType.set(objectType, await this.crmAccess.forSchema(schema, actorAccess));
      }
    }
    return segments.map((segment) => toSegmentDto(segment, accessByType.get(segment.objectType)!));
  }

  private uniqueName<T>(work: () => Promise<T>): Promise<T> {
    return mapUniqueViolation(work, SegmentErrors.duplicateName);
  }
}

function ownsOrManages(actor: Actor, segment: Segment): boolean {
  return (
    isSuperAdminInPerson(actor) || (actor.userId !== null && segment.ownerUserId === actor.userId)
  );
}

function toSegmentDto(segment: Segment, access: RecordAccess): SegmentDto {
  const filterGroups: SegmentFilterGroupDto[] = segment.filterGroups.map((group) => ({
    filters: group.filters.map((filter) => {
      if (access.canView(filter.propertyName) && !quotesSensitiveValue(filter, access.sensitive)) {
        return filter;
      }
      return { propertyName: filter.propertyName, operator: filter.operator, valueRedacted: true };
    }),
  }));
  return {
    id: segment.id,
    name: segment.name,
    objectType: segment.objectType,
    filterGroups,
    ownerUserId: segment.ownerUserId,
    sharing: segment.sharing,
    createdAt: segment.createdAt.toISOString(),
    updatedAt: segment.updatedAt.toISOString(),
  };
}
