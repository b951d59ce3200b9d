import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { from, mergeMap, type Observable } from 'rxjs';
import { AuditService } from '@custos/audit';

const VIEWS_KEY = 'custos.sensitiveViews';

/** Record ids and property names of sensitive values shown, by object type. */
type Views = Map<string, { records: Set<string>; properties: Set<string> }>;

/**
 * Collects which sensitive values a request shows, so that the request writes one audit event
 * (record ids and property names, never values) however many records it returned.
 */
@Injectable()
export class SensitiveViews {
  constructor(
    private readonly cls: ClsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Starts collecting for the current request. Transactions run in nested contexts that inherit
   * the request's store by copy: a collection begun here is the one they add to, whereas one begun
   * inside a transaction (a write answering with its record) would vanish with it, unaudited.
   */
  begin(): void {
    if (this.cls.isActive() && !this.cls.get<Views | undefined>(VIEWS_KEY)) {
      this.cls.set(VIEWS_KEY, new Map());
    }
  }

  /** Notes that `property` of `recordId` was shown in clear. */
  shown(objectType: string, recordId: string, property: string): void {
    if (!this.cls.isActive()) {
      return;
    }
    this.begin();
    const views = this.cls.get<Views>(VIEWS_KEY);
    let entry = views.get(objectType);
    if (!entry) {
      entry = { records: new Set(), properties: new Set() };
      views.set(objectType, entry);
    }
    entry.records.add(recordId);
    entry.properties.add(property);
  }

  /** Writes the pending views as one `sensitive_data.viewed` event per object type. */
  async flush(): Promise<void> {
    const views = this.cls.isActive() ? this.cls.get<Views | undefined>(VIEWS_KEY) : undefined;
    if (!views || views.size === 0) {
      return;
    }
    const pending = [...views];
    views.clear();
    for (const [objectType, entry] of pending) {
      await this.audit.record({
        action: 'sensitive_data.viewed',
        targetType: objectType,
        targetId:
          entry.records.size === 1 ? [...entry.records][0] : `${entry.records.size} records`,
        metadata: {
          recordIds: [...entry.records].sort(),
          properties: [...entry.properties].sort(),
        },
      });
    }
  }
}

/** Audits the sensitive values a request showed before its response leaves (no unaudited view). */
@Injectable()
export class SensitiveViewsInterceptor implements NestInterceptor {
  constructor(private readonly views: SensitiveViews) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.views.begin();
    return next
      .handle()
      .pipe(mergeMap((body: unknown) => from(this.views.flush().then(() => body))));
  }
}
