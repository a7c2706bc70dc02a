import type { DragEvent } from 'react';
import { refMime } from './refs';

/** Starts dragging a source reference toward the download list (also readable as plain text). */
export function dragRef(e: DragEvent, ref: string): void {
  e.dataTransfer.setData(refMime, ref);
  e.dataTransfer.setData('text/plain', ref);
  e.dataTransfer.effectAllowed = 'copy';
}
