// A column definition for tests: NOT NULL, no length, no AUTO_INCREMENT unless `extra` says so.
import type { ColumnDef, ColumnType } from '../../services/storage/types.js';

export function columnDef(name: string, type: ColumnType, extra: Partial<ColumnDef> = {}): ColumnDef {
  return { name, type, length: null, nullable: false, autoIncrement: false, ...extra };
}
