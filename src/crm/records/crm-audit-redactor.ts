import { Injectable } from '@nestjs/common';
import type { AuditEventDto, AuditMetadataRedactor, HiddenMetadata } from '@custos/audit';
import { OBJECT_TYPE_NAMES, type PropertySchema } from '../kernel';
import { PropertySchemaService } from '../properties';
import { RecordQuery } from './record-query';
import { sensitiveNames } from '../sensitive';
import type { RecordAccess } from './record-access';
import { CrmAccessService } from './crm-access.service';

/** Record ids per query: well under the bind-parameter limits of both databases. */
const ID_BATCH_SIZE = 500;
const NOTHING_HIDDEN: ReadonlySet<string> = new Set();

/** The object type whose property names an event's metadata may hold, and the records it is about. */
interface EventSubject {
  readonly objectType: string;
  readonly recordIds: readonly string[];
}

/** What the reader may see of one object type's properties and of the events' records. */
interface ObjectTypeView {
  /** Properties the reader may not read, and every sensitive one. */
  readonly hidden: ReadonlySet<string>;
  readonly allProperties: ReadonlySet<string>;
  readonly readableRecords: ReadonlySet<string>;
}

function isObjectType(value: unknown): value is string {
  return typeof value === 'string' && (OBJECT_TYPE_NAMES as readonly string[]).includes(value);
}

function strings(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The object type a definition event names, at the top of its metadata or in its before/after. */
function namedObjectType(metadata: Record<string, unknown>): string | null {
  for (const part of [metadata, metadata.after, metadata.before]) {
    if (isObject(part) && isObjectType(part.objectType)) {
      return part.objectType;
    }
  }
  return null;
}

/**
 * What an event's metadata may name properties of. Record events (`record.created`,
 * `record.updated`, `sensitive_data.viewed`…) name those of their record's type; imports,
 * attachments, forms and segments name an object type in their metadata — a segment's update
 * does not, so it may name those of any type. Property definitions (`property.*`) are shown to
 * every member by `GET properties`, and other events (people, teams, keys) name no property.
 */
function subjectOf(event: AuditEventDto): EventSubject | 'any_object_type' | null {
  const metadata = event.metadata;
  if (isObjectType(event.targetType)) {
    const listed = strings(metadata.recordIds);
    return {
      objectType: event.targetType,
      recordIds: listed ?? (event.targetId === null ? [] : [event.targetId]),
    };
  }
  const objectType = namedObjectType(metadata);
  if (objectType !== null) {
    return {
      objectType,
      recordIds: typeof metadata.recordId === 'string' ? [metadata.recordId] : [],
    };
  }
  return event.targetType === 'segment' ? 'any_object_type' : null;
}

/**
 * The CRM's answer to which property names an audit reader who is not a super admin in person
 * may not see: on a record they may read (or about no record), the properties they may not read
 * and every sensitive property; on a record outside their scope (or gone), every property.
 */
@Injectable()
export class CrmAuditRedactor implements AuditMetadataRedactor {
  constructor(
    private readonly query: RecordQuery,
    private readonly properties: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
  ) {}

  async hiddenFrom(events: readonly AuditEventDto[]): Promise<readonly HiddenMetadata[]> {
    const subjects = events.map(subjectOf);
    const anyType = subjects.includes('any_object_type');
    const recordIds = new Map<string, Set<string>>(
      anyType ? OBJECT_TYPE_NAMES.map((name) => [name, new Set<string>()]) : [],
    );
    for (const subject of subjects) {
      if (subject !== null && subject !== 'any_object_type') {
        const ids = recordIds.get(subject.objectType) ?? new Set<string>();
        subject.recordIds.forEach((id) => ids.add(id));
        recordIds.set(subject.objectType, ids);
      }
    }
    const views = new Map<string, ObjectTypeView>();
    for (const [objectType, ids] of recordIds) {
      views.set(objectType, await this.view(objectType, [...ids]));
    }
    // A name hidden on one type is hidden where the type is not known (refuse when unsure).
    const hiddenOnAnyType = new Set([...views.values()].flatMap((view) => [...view.hidden]));
    return subjects.map((subject) => {
      if (subject === null) {
        return NOTHING_HIDDEN;
      }
      if (subject === 'any_object_type') {
        return hiddenOnAnyType;
      }
      const view = views.get(subject.objectType)!;
      return subject.recordIds.every((id) => view.readableRecords.has(id))
        ? view.hidden
        : view.allProperties;
    });
  }

  private async view(objectType: string, recordIds: string[]): Promise<ObjectTypeView> {
    const schema = await this.properties.schema(objectType);
    const access = await this.crmAccess.forSchema(schema);
    const sensitive = new Set(sensitiveNames(schema));
    const names = [...schema.byName.keys()];
    return {
      hidden: new Set(names.filter((name) => sensitive.has(name) || !access.canView(name))),
      allProperties: new Set(names),
      readableRecords: await this.readableRecords(schema, access, recordIds),
    };
  }

  /** The ids among `ids` of records the reader may read, archived ones included. */
  private async readableRecords(
    schema: PropertySchema,
    access: RecordAccess,
    ids: string[],
  ): Promise<Set<string>> {
    const readable = new Set<string>();
    for (let start = 0; start < ids.length; start += ID_BATCH_SIZE) {
      const batch = ids.slice(start, start + ID_BATCH_SIZE);
      const records = await this.query.find(schema, access, batch, { archived: 'any' });
      records.forEach((record) => readable.add(record.id));
    }
    return readable;
  }
}
