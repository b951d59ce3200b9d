import { PickType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsOptional,
  IsString,
  IsUUID,
} from 'class-validator';
import type { Type } from '@nestjs/common';
import type { ExportTarget } from '@custos/exports';
import { CustosValidationPipe, NestedObject } from '@custos/core';
import { SearchDto } from '../search';

/** Most properties one export may name (as many as a search may return). */
const MAX_PROPERTIES = 500;
/** Most records a history export may name. */
const MAX_RECORD_IDS = 10_000;

/** What the `records` source exports: records of a type, filtered as the search API filters them. */
export class RecordsSelectionDto extends PickType(SearchDto, ['filterGroups'] as const) {
  @IsString()
  objectType!: string;

  /** A saved segment whose filter selects the records (not together with `filterGroups`). */
  @IsOptional()
  @IsUUID()
  segmentId?: string;
}

/** What the `history` source exports: the property history of records of a type (all, or these). */
export class HistorySelectionDto {
  @IsString()
  objectType!: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECORD_IDS)
  @IsUUID('all', { each: true })
  recordIds?: string[];
}

/** The parts of an export target a source checks; `properties` emptiness has its own error. */
abstract class CheckedTarget {
  @IsArray()
  @ArrayMaxSize(MAX_PROPERTIES)
  @IsString({ each: true })
  properties!: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_PROPERTIES)
  @IsString({ each: true })
  reveal?: string[];
}

class RecordsTargetDto extends CheckedTarget {
  @IsDefined()
  @NestedObject(() => RecordsSelectionDto)
  selection!: RecordsSelectionDto;
}

class HistoryTargetDto extends CheckedTarget {
  @IsDefined()
  @NestedObject(() => HistorySelectionDto)
  selection!: HistorySelectionDto;
}

/** A target with its selection validated like a request body: a 422 names `selection.…`, `properties` or `reveal[i]`. */
export interface CheckedExportTarget<S> {
  selection: S;
  properties: string[];
  reveal: string[];
}

const pipe = new CustosValidationPipe();

async function checked<S, T extends CheckedTarget & { selection: S }>(
  type: Type<T>,
  target: ExportTarget,
): Promise<CheckedExportTarget<S>> {
  const valid = (await pipe.transform(
    { selection: target.selection, properties: target.properties, reveal: target.reveal },
    { type: 'body', metatype: type },
  )) as T;
  return { selection: valid.selection, properties: valid.properties, reveal: valid.reveal ?? [] };
}

export const checkedRecordsTarget = (target: ExportTarget) =>
  checked<RecordsSelectionDto, RecordsTargetDto>(RecordsTargetDto, target);

export const checkedHistoryTarget = (target: ExportTarget) =>
  checked<HistorySelectionDto, HistoryTargetDto>(HistoryTargetDto, target);
