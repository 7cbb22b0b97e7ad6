// What the Data page shows, computed outside the components: grid filters and the
// class-balance table. Pure, so it is unit-tested and cheap to recompute at 10,000 images.
import type { SplitAssignment, SplitName } from './types';
import type { ImageOrigin } from './types';

export interface ViewImage {
  id: string;
  labels: readonly string[];
  origin: ImageOrigin;
}

export interface GridFilter {
  /** a finding, 'unlabelled', or 'all' */
  label: string;
  /** a split of `split` (the selected task's assignment), 'unassigned', or 'all' */
  split: SplitName | 'unassigned' | 'all';
  origin: ImageOrigin | 'all';
}

export const ALL_FILTER: GridFilter = { label: 'all', split: 'all', origin: 'all' };

export function filterImages<T extends ViewImage>(images: readonly T[], f: GridFilter, split: SplitAssignment | undefined): T[] {
  return images.filter((img) => {
    if (f.origin !== 'all' && img.origin !== f.origin) return false;
    if (f.label === 'unlabelled' ? img.labels.length > 0 : f.label !== 'all' && !img.labels.includes(f.label)) return false;
    if (f.split !== 'all') {
      const s = split?.assignments[img.id];
      if (f.split === 'unassigned' ? s !== undefined : s !== f.split) return false;
    }
    return true;
  });
}

export interface ClassBalanceRow {
  label: string;
  byOrigin: Record<ImageOrigin, number>;
  total: number;
}

/** Images per label (an image with two findings counts for both; `unlabelled` for none), per origin. */
export function classBalance(images: readonly ViewImage[]): ClassBalanceRow[] {
  const rows = new Map<string, ClassBalanceRow>();
  const row = (label: string) => {
    let r = rows.get(label);
    if (!r) rows.set(label, (r = { label, byOrigin: { real: 0, synthetic: 0, 'synthetic-demo': 0 }, total: 0 }));
    return r;
  };
  for (const img of images) {
    for (const label of img.labels.length ? img.labels : ['unlabelled']) {
      const r = row(label);
      r.byOrigin[img.origin]++;
      r.total++;
    }
  }
  return [...rows.values()].sort((a, b) => b.total - a.total || (a.label < b.label ? -1 : 1));
}

/** Rows of a virtualised grid to render: the visible ones plus `overscan` on each side. */
export function visibleRowRange(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 2): { first: number; last: number } {
  if (rowCount === 0) return { first: 0, last: -1 };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rowCount - 1, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, last };
}
