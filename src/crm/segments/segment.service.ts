import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  PageQueryDto,
  RequestContext,
  TransactionHost,
  isUniqueViolation,
  keysetPage,
  mapPage,
  newId,
  type Page,
} from '@custos/core';
import { PropertyService } from '../properties/property.service';
import { RecordService } from '../records/record.service';
import { compileFilterGroups } from '../search/filter-sql';
import { SearchService, type SearchPage } from '../search/search.service';
import { dialectOf } from '../sql-dialect';
import { Segment } from './segment.entity';
import type { CreateSegmentDto, SegmentDto, UpdateSegmentDto } from './segment.dto';

@Injectable()
export class SegmentService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly properties: PropertyService,
    private readonly records: RecordService,
    private readonly search: SearchService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(query: PageQueryDto): Promise<Page<SegmentDto>> {
    const builder = this.transactions.manager
      .createQueryBuilder(Segment, 's')
      .where('s.accountId = :accountId', { accountId: this.context.requireAccountId() });
    return mapPage(await keysetPage(builder, 's.id', (s) => s.id, query), toSegmentDto);
  }

  async get(id: string): Promise<SegmentDto> {
    return toSegmentDto(await this.find(id));
  }

  async create(input: CreateSegmentDto): Promise<SegmentDto> {
    await this.checkFilters(input.objectType, input.filterGroups);
    const now = this.clock.now();
    const segment: Segment = {
      id: newId(),
      accountId: this.context.requireAccountId(),
      name: input.name,
      objectType: input.objectType,
      filterGroups: input.filterGroups,
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
            },
          },
        });
      }),
    );
    return toSegmentDto(segment);
  }

  async update(id: string, input: UpdateSegmentDto): Promise<SegmentDto> {
    return this.uniqueName(() =>
      this.transactions.run(async (manager) => {
        const segment = await this.find(id);
        const before = { name: segment.name, filterGroups: segment.filterGroups };
        if (input.filterGroups) {
          await this.checkFilters(segment.objectType, input.filterGroups);
          segment.filterGroups = input.filterGroups;
        }
        segment.name = input.name ?? segment.name;
        segment.updatedAt = this.clock.now();
        await manager.update(
          Segment,
          { id },
          { name: segment.name, filterGroups: segment.filterGroups, updatedAt: segment.updatedAt },
        );
        await this.audit.record({
          action: 'segment.updated',
          targetType: 'segment',
          targetId: id,
          metadata: { before, after: { name: segment.name, filterGroups: segment.filterGroups } },
        });
        return toSegmentDto(segment);
      }),
    );
  }

  async remove(id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const segment = await this.find(id);
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
  async members(id: string, page: PageQueryDto): Promise<SearchPage> {
    const segment = await this.find(id);
    const schema = await this.properties.schema(segment.objectType);
    return this.search.run(
      schema,
      segment.filterGroups,
      undefined,
      page,
      this.records.selected(schema, undefined, 'properties'),
    );
  }

  /** Compiles the filters once so that a segment that cannot run is refused when saved. */
  private async checkFilters(
    objectType: string,
    filterGroups: CreateSegmentDto['filterGroups'],
  ): Promise<void> {
    const schema = await this.properties.schema(objectType);
    compileFilterGroups(
      schema,
      dialectOf(this.transactions.manager.connection.options.type),
      filterGroups,
    );
  }

  private async find(id: string): Promise<Segment> {
    const segment = await this.transactions.manager.findOneBy(Segment, {
      accountId: this.context.requireAccountId(),
      id,
    });
    if (!segment) {
      throw new CustosError('not_found', 'crm.segment_not_found', 'The segment was not found.');
    }
    return segment;
  }

  private async uniqueName<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new CustosError(
          'conflict',
          'crm.duplicate_segment',
          'A segment with this name already exists.',
          { errors: [{ field: 'name', message: 'is already taken' }] },
        );
      }
      throw error;
    }
  }
}

function toSegmentDto(segment: Segment): SegmentDto {
  return {
    id: segment.id,
    name: segment.name,
    objectType: segment.objectType,
    filterGroups: segment.filterGroups,
    createdAt: segment.createdAt.toISOString(),
    updatedAt: segment.updatedAt.toISOString(),
  };
}
