import { packageFileHolder, packageFileKey, packageFilePlace } from './package-files';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { AuditService } from '@custos/audit';
import {
  Clock,
  FileStore,
  Jobs,
  MailOutbox,
  RequestContext,
  TransactionHost,
  decodeCursor,
  encodeCursor,
  isUniqueViolation,
  newId,
  systemActor,
  type Actor,
  type JobQueue,
  type Page,
  type RunningJob,
} from '@custos/core';
import { AccountCiphers, SubjectKeys } from '@custos/crypto';
import { zipArchive } from '@custos/exports';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import {
  PRIVACY_FILE_READERS,
  type SubjectFile,
  type SubjectFileReader,
} from '../lookup/sealed-value-probes.port';
import { SubjectLookup, type LookupItem } from '../lookup/subject-lookup';
import { PrivacyErrors } from '../privacy.errors';
import { PRIVACY_MODULE_OPTIONS, PrivacyModuleOptions } from '../privacy.module-definition';
import { PrivacyRequest } from '../requests/privacy-request.entity';
import { PORTABLE_SOURCES, itemId, packageContents } from './package-contents';
import { PrivacyPackage, type PackageRecipient, type PackageState } from './privacy-package.entity';

/** The queue packages are built on. */
export const PACKAGE_QUEUE = 'privacy.package';
/** Places per values read while building (the readers' `IN` lists). */
export const PACKAGE_PAGE = 1000;
/** Places per lookup page while building: each page runs the whole union again. */
const COLLECT_PAGE = 5000;
const ATTEMPTS = 3;
const PACKAGE_TYPES = ['access', 'portability'];
const OPEN_STATUSES = ['in_progress', 'extended'];
/** The shape of a link token (32 random bytes, base64url): anything else is refused unread. */
const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface PackageView {
  id: string;
  requestId: string;
  state: PackageState;
  /** Items found (redacted ones included); `null` while the first build runs. */
  items: number | null;
  redactions: number;
  sha256: string | null;
  size: number | null;
  releasedTo: PackageRecipient | null;
  /** Until when the subject's link works. */
  expiresAt: Date | null;
  downloaded: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A place of the package as the reviewing operator sees it. */
export interface PackageItemView extends LookupItem {
  id: string;
  redacted: boolean;
}

interface Redaction {
  itemId: string;
  reason: string;
}

/**
 * Access (Art. 15) and portability (Art. 20) packages: built by a job into the file store
 * (sealed with the account's key) from the subject lookup — every place, or for portability the
 * data the subject provided —, with values read as the operator who asked may see them; reviewed
 * and redacted (Art. 15(4): other people's data), then released once to staff or to the subject
 * through a single-use expiring link mailed to the request's verified address. Every step is
 * audited with counts, ids and the file's SHA-256, never a value.
 */
@Injectable()
export class PrivacyPackages {
  private readonly queue: JobQueue<{ packageId: string }>;
  private readonly linkMs: number;
  private readonly publicUrl: string;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly files: FileStore,
    private readonly ciphers: AccountCiphers,
    private readonly keys: SubjectKeys,
    private readonly lookup: SubjectLookup,
    // MailModule is not global: the outbox is looked up where the host imports it.
    private readonly moduleRef: ModuleRef,
    @Inject(PRIVACY_MODULE_OPTIONS) options: PrivacyModuleOptions,
    jobs: Jobs,
    @Optional()
    @Inject(PRIVACY_FILE_READERS)
    private readonly fileReaders: SubjectFileReader[] | null,
  ) {
    this.linkMs = (options.packageLinkHours ?? 72) * 3_600_000;
    this.publicUrl = options.publicUrl ?? '/api/v1';
    this.queue = jobs.createQueue<{ packageId: string }>({
      name: PACKAGE_QUEUE,
      attempts: ATTEMPTS,
      backoffMs: 500,
      process: (job) => this.run(job),
    });
  }

  /** Starts building the package of an access or portability request in progress. */
  async build(requestId: string): Promise<PackageView> {
    const actor = this.context.requireActor();
    const accountId = actor.accountId;
    const row = await this.transactions
      .run(async (manager) => {
        const request = await this.requestOf(manager, requestId);
        if (!PACKAGE_TYPES.includes(request.type)) {
          throw PrivacyErrors.wrongRequestType('access or portability');
        }
        if (!OPEN_STATUSES.includes(request.status)) {
          // A subject whose identity is unverified (or a closed request) gets nothing.
          throw PrivacyErrors.wrongStatus(request.status, 'given a package');
        }
        if (await manager.existsBy(PrivacyPackage, { accountId, requestId })) {
          throw PrivacyErrors.packageExists();
        }
        const now = this.clock.now();
        const created = Object.assign(new PrivacyPackage(), {
          id: newId(),
          accountId,
          requestId,
          subjectContactId: request.subjectContactId,
          state: 'building' as const,
          version: 1,
          items: null,
          redactions: '[]',
          fileKey: null,
          sha256: null,
          size: null,
          releasedTo: null,
          linkHash: null,
          expiresAt: null,
          downloadedAt: null,
          createdBy: actor.id,
          createdAt: now,
          updatedAt: now,
        });
        await manager.insert(PrivacyPackage, created);
        await this.audit.record({
          action: 'privacy.package_build_started',
          targetType: 'privacy_request',
          targetId: requestId,
          metadata: { packageId: created.id, type: request.type },
        });
        await this.enqueue(created, actor);
        return created;
      })
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? PrivacyErrors.packageExists() : error;
      });
    return viewOf(row);
  }

  async get(requestId: string): Promise<PackageView> {
    return viewOf(await this.own(this.transactions.manager, requestId));
  }

  /** A page of the package's items with their values as the operator may see them; audited. */
  async items(
    requestId: string,
    page: { limit?: number; after?: string },
  ): Promise<Page<PackageItemView>> {
    const pkg = await this.own(this.transactions.manager, requestId);
    if (pkg.items === null) {
      throw PrivacyErrors.packageWrongState(pkg.state, 'reviewed before it is built');
    }
    const all = JSON.parse(pkg.items) as LookupItem[];
    const start = page.after === undefined ? 0 : Number(decodeCursor(page.after, 1)[0]);
    const limit = page.limit ?? 50;
    const items = all.slice(start, start + limit);
    await this.lookup.readValues(items, true);
    const redacted = new Set(redactionsOf(pkg).map((r) => r.itemId));
    await this.transactions.run(() =>
      this.audit.record({
        action: 'privacy.package_reviewed',
        targetType: 'privacy_request',
        targetId: requestId,
        metadata: { packageId: pkg.id, items: items.length },
      }),
    );
    return {
      results: items.map((item) => ({
        ...item,
        id: itemId(item),
        redacted: redacted.has(itemId(item)),
      })),
      paging:
        start + limit < all.length
          ? { next: { after: encodeCursor([String(start + limit)]) } }
          : {},
    };
  }

  /** Leaves items out of the package (the file is built again without them). Before release only. */
  async redact(
    requestId: string,
    input: { itemIds: string[]; reason: string },
  ): Promise<PackageView> {
    const actor = this.context.requireActor();
    const updated = await this.transactions.run(async (manager) => {
      const pkg = await this.own(manager, requestId);
      if (pkg.state !== 'review') {
        throw PrivacyErrors.packageWrongState(pkg.state, 'redacted');
      }
      const known = new Set((JSON.parse(pkg.items!) as LookupItem[]).map(itemId));
      input.itemIds.forEach((id, i) => {
        if (!known.has(id)) {
          throw PrivacyErrors.invalidField(`itemIds[${i}]`, 'names no item of the package');
        }
      });
      const redactions = redactionsOf(pkg);
      const already = new Set(redactions.map((r) => r.itemId));
      const added = [...new Set(input.itemIds)].filter((id) => !already.has(id));
      const next = await this.change(manager, pkg, 'review', {
        state: 'building',
        redactions: JSON.stringify([
          ...redactions,
          ...added.map((id) => ({ itemId: id, reason: input.reason })),
        ]),
      });
      await this.audit.record({
        action: 'privacy.package_redacted',
        targetType: 'privacy_request',
        targetId: requestId,
        // The count only: the reason is free text about other people.
        metadata: {
          packageId: pkg.id,
          items: added.length,
          redactions: already.size + added.length,
        },
      });
      await this.enqueue(next, actor);
      return next;
    });
    return viewOf(updated);
  }

  /**
   * Releases a reviewed package, once: to staff (downloaded through the API), or to the subject
   * (a single-use link, valid `packageLinkHours`, mailed to the request's verified address).
   */
  async release(requestId: string, to: PackageRecipient): Promise<PackageView> {
    const updated = await this.transactions.run(async (manager) => {
      const pkg = await this.own(manager, requestId);
      if (pkg.state !== 'review') {
        throw PrivacyErrors.packageWrongState(pkg.state, 'released');
      }
      const request = await this.requestOf(manager, requestId);
      if (!OPEN_STATUSES.includes(request.status)) {
        // Refused, completed or paused meanwhile: nothing leaves.
        throw PrivacyErrors.wrongStatus(request.status, 'sent a package');
      }
      if (to === 'subject' && !request.subjectEmail) {
        throw PrivacyErrors.invalidField(
          'to',
          'the request names no e-mail address to send the link to',
        );
      }
      const token = to === 'subject' ? randomBytes(32).toString('base64url') : null;
      const expiresAt = token ? new Date(this.clock.now().getTime() + this.linkMs) : null;
      const next = await this.change(manager, pkg, 'review', {
        state: 'released',
        releasedTo: to,
        linkHash: token ? hashOf(token) : null,
        expiresAt,
      });
      if (token) {
        await this.moduleRef.get(MailOutbox, { strict: false }).enqueue({
          accountId: pkg.accountId,
          kind: 'privacy.package',
          to: [request.subjectEmail!],
          subject: 'Your personal data is ready to download',
          text: `The copy of your personal data you asked for (request ${request.id}) is ready.\n\nDownload it here: ${this.publicUrl}/public/privacy-packages/${token}\n\nThe link works once, until ${expiresAt!.toISOString()}. The file is a ZIP archive: manifest.json describes what it holds.\n`,
        });
      }
      await this.audit.record({
        action: 'privacy.package_released',
        targetType: 'privacy_request',
        targetId: requestId,
        metadata: { packageId: pkg.id, to, sha256: pkg.sha256 },
      });
      return next;
    });
    return viewOf(updated);
  }

  /**
   * Withdraws a package not to be released (or no longer downloadable): its file is removed and
   * its key destroyed, so no copy of the file store yields it either.
   */
  async withdraw(requestId: string): Promise<PackageView> {
    const updated = await this.transactions.run(async (manager) => {
      const pkg = await this.own(manager, requestId);
      if (pkg.state === 'withdrawn' || pkg.state === 'building') {
        throw PrivacyErrors.packageWrongState(pkg.state, 'withdrawn');
      }
      const holder = packageFileHolder(pkg.id);
      await this.keys.destroy(pkg.accountId, holder.kind, holder.id, manager);
      const next = await this.change(manager, pkg, pkg.state, {
        state: 'withdrawn',
        fileKey: null,
        linkHash: null,
      });
      await this.audit.record({
        action: 'privacy.package_withdrawn',
        targetType: 'privacy_request',
        targetId: requestId,
        metadata: { packageId: pkg.id, from: pkg.state },
      });
      return next;
    });
    await this.files.delete(packageFileKey(updated.accountId, updated.id));
    return viewOf(updated);
  }

  /** The file of a package released to staff; audited. */
  async staffDownload(requestId: string): Promise<{ file: Readable; size: number | null }> {
    const pkg = await this.own(this.transactions.manager, requestId);
    if (pkg.state !== 'released' || pkg.releasedTo !== 'staff') {
      throw PrivacyErrors.packageWrongState(
        pkg.state === 'released' ? 'released to the subject' : pkg.state,
        'downloaded by staff',
      );
    }
    const file = await this.open(pkg);
    await this.transactions.run(() => this.downloaded(pkg, 'staff'));
    return { file, size: pkg.size };
  }

  /**
   * The subject's download through the mailed link: the token alone names the package (404 for
   * any other); it works once, until it expires (410 after either).
   */
  async subjectDownload(token: string): Promise<{ file: Readable; size: number | null }> {
    if (!LINK_TOKEN.test(token)) {
      throw PrivacyErrors.invalidField('token', 'is not a download link token');
    }
    const pkg = await this.transactions.manager.findOneBy(PrivacyPackage, {
      linkHash: hashOf(token),
    });
    if (!pkg || pkg.state === 'withdrawn' || pkg.releasedTo !== 'subject') {
      throw PrivacyErrors.packageLinkNotFound();
    }
    const now = this.clock.now();
    if (pkg.downloadedAt !== null || pkg.expiresAt === null || pkg.expiresAt <= now) {
      throw PrivacyErrors.packageLinkGone();
    }
    const file = await this.open(pkg);
    await this.context.runAs(downloadActor(pkg.accountId), () =>
      this.transactions.run(async (manager) => {
        // Used once: of two downloads racing, one claims the link.
        const claimed = await manager
          .createQueryBuilder()
          .update(PrivacyPackage)
          .set({ downloadedAt: now })
          .where('id = :id AND downloaded_at IS NULL AND state = :state', {
            id: pkg.id,
            state: 'released',
          })
          .execute();
        if (claimed.affected !== 1) {
          file.destroy();
          throw PrivacyErrors.packageLinkGone();
        }
        await this.downloaded(pkg, 'subject');
      }),
    );
    return { file, size: pkg.size };
  }

  /** Builds (or builds again, after redactions) a package's file; run by the job. */
  private async run(job: RunningJob<{ packageId: string }>): Promise<void> {
    try {
      await this.buildFile(job.data.packageId);
    } catch (error) {
      if (job.attempt >= ATTEMPTS) {
        await this.fail(job.data.packageId);
      }
      throw error;
    }
  }

  private async buildFile(packageId: string): Promise<void> {
    const manager = this.transactions.manager;
    const pkg = await manager.findOneBy(PrivacyPackage, { id: packageId });
    if (!pkg || pkg.state !== 'building') {
      return;
    }
    const request = await this.requestOf(manager, pkg.requestId);
    const items =
      pkg.items === null
        ? await this.find(request, pkg.id)
        : (JSON.parse(pkg.items) as LookupItem[]);
    const redactions = redactionsOf(pkg);
    const redacted = new Set(redactions.map((r) => r.itemId));
    const kept = items
      .filter((item) => !redacted.has(itemId(item)))
      .map((item) => ({ ...item, fields: item.fields.map((field) => ({ ...field })) }));
    for (let start = 0; start < kept.length; start += PACKAGE_PAGE) {
      await this.lookup.readValues(kept.slice(start, start + PACKAGE_PAGE), true);
    }
    const copies = await this.copiesOf(kept);
    const generatedAt = this.clock.now();
    const contents = packageContents(
      {
        subject: {
          email: request.subjectEmail,
          name: request.subjectName,
          contactId: request.subjectContactId,
        },
        request: { id: request.id, type: request.type },
        packageId: pkg.id,
        generatedAt,
        redactions: redactions.length,
      },
      kept,
      copies,
    );
    const written = await this.write(pkg, contents.files, generatedAt);
    await this.transactions.run(async (tx) => {
      await this.change(tx, pkg, 'building', {
        state: 'review',
        items: pkg.items ?? JSON.stringify(items),
        fileKey: written.key,
        sha256: written.sha256,
        size: written.size,
      });
      await this.audit.record({
        action: 'privacy.package_built',
        targetType: 'privacy_request',
        targetId: pkg.requestId,
        metadata: {
          packageId: pkg.id,
          items: kept.length,
          redactions: redactions.length,
          withheld: contents.withheld,
          copies: copies.size,
          categories: Object.keys(contents.categories).length,
          sha256: written.sha256,
          size: written.size,
        },
      });
    });
  }

  /**
   * The stored files of the kept items (attachments), opened by their owner's reader as the
   * operator may read them, by item id: the package carries a copy of them (Art. 15(3)).
   */
  private async copiesOf(kept: LookupItem[]): Promise<Map<string, SubjectFile>> {
    const copies = new Map<string, SubjectFile>();
    for (const reader of this.fileReaders ?? []) {
      const rowIds = kept
        .filter(
          (item) => item.source === reader.source && item.fields.some((f) => f.file && f.held),
        )
        .map((item) => item.rowId);
      for (let start = 0; start < rowIds.length; start += PACKAGE_PAGE) {
        const files = await reader.read(rowIds.slice(start, start + PACKAGE_PAGE));
        for (const [rowId, file] of files) {
          copies.set(itemId({ source: reader.source, rowId }), file);
        }
      }
    }
    return copies;
  }

  /** Every place holding the subject's data (for portability, what the subject provided). */
  private async find(request: PrivacyRequest, packageId: string): Promise<LookupItem[]> {
    const identifiers = {
      email: request.subjectEmail,
      phone: request.subjectPhone,
      name: request.subjectName,
      id: request.subjectContactId,
    };
    const items: LookupItem[] = [];
    let after: [string, string] | null = null;
    for (;;) {
      const page = await this.lookup.collect(identifiers, after, COLLECT_PAGE);
      // The package being built is found too (it names the subject): it holds nothing yet.
      items.push(
        ...page.items.filter((i) => i.source !== 'privacy.package' || i.rowId !== packageId),
      );
      const last = page.items.at(-1);
      if (!page.more || !last) {
        break;
      }
      after = [last.source, last.rowId];
    }
    return request.type === 'portability'
      ? items.filter((item) => PORTABLE_SOURCES.includes(item.source))
      : items;
  }

  /** The ZIP sealed into the store: written whole under a temporary key, then moved. */
  private async write(
    pkg: PrivacyPackage,
    files: { name: string; content: Buffer }[],
    modified: Date,
  ): Promise<{ key: string; sha256: string; size: number }> {
    const hash = createHash('sha256');
    let size = 0;
    const bytes = (async function* () {
      const entries = (async function* () {
        for (const file of files) {
          yield {
            name: file.name,
            content: (async function* () {
              yield file.content;
            })(),
          };
        }
      })();
      for await (const chunk of zipArchive(entries, modified)) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    })();
    const cipher = await this.ciphers.forAccount(pkg.accountId);
    const key = packageFileKey(pkg.accountId, pkg.id);
    const part = `${key}.part`;
    try {
      await this.files.put(part, cipher.sealStream(bytes, packageFilePlace(pkg.id)));
    } catch (error) {
      await this.files.delete(part);
      throw error;
    }
    await this.files.move(part, key);
    return { key, sha256: hash.digest('hex'), size };
  }

  private async open(pkg: PrivacyPackage): Promise<Readable> {
    const stored = pkg.fileKey ? await this.files.get(pkg.fileKey) : null;
    if (!stored) {
      throw PrivacyErrors.packageLinkGone();
    }
    const cipher = await this.ciphers.forAccount(pkg.accountId);
    return Readable.from(cipher.openStream(stored, packageFilePlace(pkg.id)));
  }

  private async downloaded(pkg: PrivacyPackage, by: PackageRecipient): Promise<void> {
    await this.audit.record({
      action: 'privacy.package_downloaded',
      targetType: 'privacy_request',
      targetId: pkg.requestId,
      metadata: { packageId: pkg.id, by, sha256: pkg.sha256, size: pkg.size },
    });
  }

  private async fail(packageId: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const pkg = await manager.findOneBy(PrivacyPackage, { id: packageId });
      if (!pkg || pkg.state !== 'building') {
        return;
      }
      await this.change(manager, pkg, 'building', { state: 'failed' });
      await this.audit.record({
        action: 'privacy.package_failed',
        targetType: 'privacy_request',
        targetId: pkg.requestId,
        metadata: { packageId: pkg.id },
      });
    });
  }

  /**
   * One conditional `UPDATE … WHERE version = ? AND state = ?`: of racing changes one matches,
   * the others get 409.
   */
  private async change(
    manager: EntityManager,
    pkg: PrivacyPackage,
    from: PackageState,
    set: Partial<PrivacyPackage>,
  ): Promise<PrivacyPackage> {
    const updatedAt = this.clock.now();
    const result = await manager
      .createQueryBuilder()
      .update(PrivacyPackage)
      .set({ ...set, version: pkg.version + 1, updatedAt })
      .where('id = :id AND version = :version AND state = :from', {
        id: pkg.id,
        version: pkg.version,
        from,
      })
      .execute();
    if (result.affected !== 1) {
      throw PrivacyErrors.changedMeanwhile();
    }
    return Object.assign(new PrivacyPackage(), pkg, set, { version: pkg.version + 1, updatedAt });
  }

  private async enqueue(pkg: PrivacyPackage, actor: Actor): Promise<void> {
    // The values are read as the operator who asked (their rights, their audited reads).
    await this.queue.enqueue(
      { packageId: pkg.id },
      { key: `${pkg.id}/${pkg.version}`, accountId: pkg.accountId, actor },
    );
  }

  private async own(manager: EntityManager, requestId: string): Promise<PrivacyPackage> {
    const accountId = this.context.requireAccountId();
    const pkg = await manager.findOneBy(PrivacyPackage, { accountId, requestId });
    if (!pkg) {
      // Another account's request, or one without a package: the same answer.
      throw PrivacyErrors.packageNotFound();
    }
    return pkg;
  }

  private async requestOf(manager: EntityManager, requestId: string): Promise<PrivacyRequest> {
    const accountId = this.context.requireAccountId();
    const request = await manager.findOneBy(PrivacyRequest, { accountId, id: requestId });
    if (!request) {
      throw PrivacyErrors.requestNotFound();
    }
    return request;
  }
}

function hashOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function redactionsOf(pkg: PrivacyPackage): Redaction[] {
  return JSON.parse(pkg.redactions) as Redaction[];
}

/** The subject's download is recorded as the account's system, named after the link. */
function downloadActor(accountId: string): Actor {
  return { ...systemActor(accountId), id: 'privacy-package-link', label: 'privacy-package-link' };
}

function viewOf(pkg: PrivacyPackage): PackageView {
  return {
    id: pkg.id,
    requestId: pkg.requestId,
    state: pkg.state,
    items: pkg.items === null ? null : (JSON.parse(pkg.items) as unknown[]).length,
    redactions: redactionsOf(pkg).length,
    sha256: pkg.sha256,
    size: pkg.size,
    releasedTo: pkg.releasedTo,
    expiresAt: pkg.expiresAt,
    downloaded: pkg.downloadedAt !== null,
    createdAt: pkg.createdAt,
    updatedAt: pkg.updatedAt,
  };
}
