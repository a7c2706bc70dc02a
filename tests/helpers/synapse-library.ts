// The library the Synapse tests browse: a project with a folder of files (one restricted, one an
// external link, one on SFTP, one the person may not download), a sub-folder, and a view.
import { FakeLibrary } from './synapse-fake-data.js';
import { bytes } from './core.js';

export const AR_ID = 9605690;

export function studyLibrary(): FakeLibrary {
  const lib = new FakeLibrary();
  lib.add({ id: 'syn100', name: 'Heart Study', type: 'project' });
  lib.add({ id: 'syn200', name: 'Shared Atlas', type: 'project' });
  lib.add({ id: 'syn110', name: 'Raw data', type: 'folder', parentId: 'syn100' });
  lib.add({ id: 'syn120', name: 'Later', type: 'folder', parentId: 'syn110' });
  lib.add({ id: 'syn111', name: 'ecg-001.csv', type: 'file', parentId: 'syn110', content: bytes(300_000, 1) });
  lib.add({ id: 'syn112', name: 'ecg-002.csv', type: 'file', parentId: 'syn110', content: bytes(200_000, 2) });
  lib.add({ id: 'syn113', name: 'genomes.vcf', type: 'file', parentId: 'syn110', content: bytes(50_000, 3), accessRequirement: AR_ID });
  lib.add({ id: 'syn114', name: 'paper.html', type: 'file', parentId: 'syn110', externalUrl: 'https://journal.example.org/paper' });
  lib.add({ id: 'syn115', name: 'scans.tar', type: 'file', parentId: 'syn110', externalUrl: 'sftp://sftp.example.org/scans.tar' });
  lib.add({ id: 'syn116', name: 'notes.txt', type: 'file', parentId: 'syn110', content: Buffer.from('private\n'), noDownload: true });
  lib.add({ id: 'syn121', name: 'later.csv', type: 'file', parentId: 'syn120', content: bytes(1000, 4) });
  lib.add({ id: 'syn130', name: 'All ECGs', type: 'entityview', parentId: 'syn100', rows: ['syn111', 'syn112', 'syn121'] });
  return lib;
}
