import type { ProgressEstimate } from '@kombo-sync/db';
import { formatDuration } from './format.js';

/**
 * One pass as `full pass: 12/40 pages, 3000/10000 records (30%), ETA 2m`, or `last pass succeeded: …` once it
 * ended; `-` when none was recorded.
 */
export function formatProgress(p: ProgressEstimate | null): string {
  if (!p) return '-';
  const of = (done: number, expected: number | null) =>
    expected === null ? `${done}` : `${done}/${expected}`;
  const percent = p.fraction === null ? '' : ` (${Math.floor(p.fraction * 100)}%)`;
  const eta =
    p.status === 'running' && p.etaSeconds !== null ? `, ETA ${formatDuration(p.etaSeconds * 1000)}` : '';
  const state = p.status === 'running' ? `${p.isFullPass ? 'full' : 'delta'} pass` : `last pass ${p.status}`;
  return `${state}: ${of(p.pagesDone, p.expectedPages)} pages, ${of(p.recordsDone, p.expectedRecords)} records${percent}${eta}`;
}
