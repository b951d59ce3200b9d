import { Injectable, type OnModuleInit } from '@nestjs/common';
import { NotificationInbox, type Notification, type NotificationKind } from '@custos/core';

export const EXPORT_READY = 'export.ready';
export const EXPORT_FAILED = 'export.failed';

/** What the requester reads: which export, and for a failure its error code. */
export interface ExportNotificationFields {
  exportId: string;
  errorCode?: string;
}

/**
 * Tells the requester that their file is ready or that the export failed: references only (the
 * export's id, an error code), never a value or a file name.
 */
@Injectable()
export class ExportNotifications implements OnModuleInit {
  constructor(private readonly inbox: NotificationInbox) {}

  onModuleInit(): void {
    for (const kind of [EXPORT_READY, EXPORT_FAILED]) {
      this.inbox.register(referencesOnly(kind));
    }
  }

  /** In the transaction that ends the export. */
  async ready(accountId: string, userId: string | null, exportId: string): Promise<void> {
    if (userId !== null) {
      await this.inbox.send({
        accountId,
        recipientUserIds: [userId],
        kind: EXPORT_READY,
        topicId: exportId,
        refs: { exportId },
      });
    }
  }

  async failed(
    accountId: string,
    userId: string | null,
    exportId: string,
    errorCode: string,
  ): Promise<void> {
    if (userId !== null) {
      await this.inbox.send({
        accountId,
        recipientUserIds: [userId],
        kind: EXPORT_FAILED,
        topicId: exportId,
        refs: { exportId, errorCode },
      });
    }
  }
}

function referencesOnly(kind: string): NotificationKind<ExportNotificationFields> {
  return {
    kind,
    render: async (notifications: readonly Notification[]) =>
      new Map(
        notifications.map((n) => [
          n.id,
          {
            exportId: n.refs.exportId,
            ...(n.refs.errorCode ? { errorCode: n.refs.errorCode } : {}),
          },
        ]),
      ),
  };
}
