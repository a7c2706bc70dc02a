import path from 'node:path';
import type { TaskGroup } from './states.js';

const imageExt = new Set(
  'jpg jpeg jpe png gif webp heic heif avif tif tiff bmp dng raw arw cr2 cr3 nef nrw orf raf rw2 pef srw x3f jxl svg'.split(' '),
);
const videoExt = new Set('mp4 m4v mov qt mkv webm avi wmv mpg mpeg mts m2ts 3gp 3g2 flv ogv'.split(' '));

/** The seed's task groups, guessed from the file name when the source does not say. */
export function groupForName(name: string): TaskGroup {
  const ext = path.extname(name).slice(1).toLowerCase();
  if (imageExt.has(ext)) return 'image';
  if (videoExt.has(ext)) return 'video';
  return 'other';
}
