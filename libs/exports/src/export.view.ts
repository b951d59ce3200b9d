import type { ActorKind } from '@custos/core';
import type { DataExport, ExportFormat, ExportState } from './export.entity';

/**
 * An export as its log shows it: what was asked (the source's value-free description, never the
 * selection with its filter values), by whom, where it got, and its file's receipt.
 */
export interface ExportView {
  id: string;
  state: ExportState;
  source: string;
  format: ExportFormat;
  description: Record<string, unknown>;
  properties: string[];
  reveal: string[];
  sensitive: boolean;
  rowsDone: number;
  rowsTotal: number;
  requester: { kind: ActorKind; id: string; userId: string | null; label: string };
  approvalId: string | null;
  decidedByUserId: string | null;
  reason: string | null;
  size: number | null;
  sha256: string | null;
  fileExpiresAt: string | null;
  downloads: number;
  errorCode: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function viewOf(entity: DataExport): ExportView {
  return {
    id: entity.id,
    state: entity.state,
    source: entity.source,
    format: entity.format,
    description: entity.description,
    properties: entity.target.properties,
    reveal: entity.target.reveal,
    sensitive: entity.sensitive,
    rowsDone: entity.rowsDone,
    rowsTotal: entity.rowsTotal,
    requester: {
      kind: entity.requester.kind,
      id: entity.requester.id,
      userId: entity.requester.userId,
      label: entity.requester.label,
    },
    approvalId: entity.approvalId,
    decidedByUserId: entity.decidedByUserId,
    reason: entity.reason,
    size: entity.size,
    sha256: entity.sha256,
    fileExpiresAt: entity.fileExpiresAt?.toISOString() ?? null,
    downloads: entity.downloads,
    errorCode: entity.errorCode,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
    startedAt: entity.startedAt?.toISOString() ?? null,
    finishedAt: entity.finishedAt?.toISOString() ?? null,
  };
}
