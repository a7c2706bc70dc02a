// The sources channels: add (connect first, then save), browse a folder, preview a query. The same
// steps as `cartage source add`, `cartage ls` and `cartage search`, answered as DTOs.
import type { AddedSourceDto, FileDto, ListingDto, ParsedInput, QueryPreviewDto } from '../../../preload/api.js';
import type { Core } from '../core.js';
import { CartageError } from '../errors.js';
import { findTarget, queryText, trimSlashes } from '../sources/refs.js';
import type { ImmichConnection } from '../sources/immich-connect.js';
import type { NewSource, SourceRecord } from '../sources/registry.js';
import { imagePreview } from '../sources/image-preview.js';
import { immichThumbnail } from '../sources/immich-thumbnail.js';
import { ImmichSource } from '../sources/immich.js';
import { pinCertificate, pinnedTls } from '../net/tls.js';
import { fileDto, listingDto, sourceDto } from './dto.js';

/** A form's empty field means "not given". */
function given(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? t : undefined;
}

/** A stored source by its id, or a sentence saying it is gone. */
export function sourceById(core: Core, id: number): SourceRecord {
  const record = core.sources.list().find((s) => s.id === id);
  if (!record) throw new CartageError('not_found', `There is no source ${id} any more; it may have been removed (see the list of sources).`);
  return record;
}

/** Who the connection signed in as, in words: the Immich user, or what a shared link shows. */
function signedInAs(immich: ImmichConnection | null): string | null {
  if (immich?.user) return `${immich.user.name} <${immich.user.email}>`;
  const link = immich?.sharedLink;
  if (!link) return null;
  const what = link.albumName ? `the album "${link.albumName}"` : `${link.files} file${link.files === 1 ? '' : 's'}`;
  return `A shared link to ${what}${link.allowDownload ? '' : ' (its owner does not allow downloads)'}`;
}

/** Connects, then saves: a source that cannot be reached or signed in to is not kept. */
export async function addSource(core: Core, input: ParsedInput<'sources.add'>): Promise<AddedSourceDto> {
  const kind = input.kind;
  const name = given(input.name);
  const apiKey = given(input.apiKey);
  const username = given(input.username);
  const password = input.password ?? '';
  if (apiKey !== undefined && kind !== 'immich' && kind !== 'synapse') {
    throw new CartageError('bad_input', 'An API key is for Immich servers; WebDAV shares and web folders sign in with a user name and password.');
  }
  if (kind === 'immich' && (username !== undefined || password !== '')) {
    throw new CartageError('bad_input', 'Immich signs in with an API key, not a user name and password.');
  }
  if (password !== '' && username === undefined) throw new CartageError('bad_input', 'A password needs a user name: fill in the user name too.');
  const fingerprint = given(input.trustFingerprint);
  const request: NewSource = {
    kind,
    url: input.url.trim(),
    ...(name !== undefined ? { name } : {}),
    ...(apiKey !== undefined ? (kind === 'synapse' ? { token: apiKey } : { apiKey }) : {}),
    ...(username !== undefined ? { username, password } : {}),
    // Pinned only if the server still presents the certificate the person saw.
    ...(fingerprint !== undefined ? { certificate: await pinCertificate(input.url.trim(), fingerprint, { proxy: core.sources.proxyFor(input.url.trim()) }) } : {}),
  };
  const { record, immich, synapse } = await core.sources.add(request);
  return { source: sourceDto(record), signedInAs: synapse ? synapse.profile.userName : signedInAs(immich) };
}

/** Changes a source in place; blank fields keep what it had (a key or password left empty is kept). */
export async function updateSource(core: Core, input: ParsedInput<'sources.update'>): Promise<AddedSourceDto> {
  const record = sourceById(core, input.id);
  const url = given(input.url)?.trim();
  const apiKey = given(input.apiKey);
  const username = given(input.username);
  const password = given(input.password);
  if (apiKey !== undefined && record.kind !== 'immich' && record.kind !== 'synapse') {
    throw new CartageError('bad_input', 'An API key is for Immich servers; WebDAV shares and web folders sign in with a user name and password.');
  }
  if (record.kind === 'immich' && (username !== undefined || password !== undefined)) {
    throw new CartageError('bad_input', 'Immich signs in with an API key, not a user name and password.');
  }
  const fingerprint = given(input.trustFingerprint);
  const { record: saved, immich } = await core.sources.update(String(record.id), {
    ...(url !== undefined ? { url } : {}),
    ...(given(input.name) !== undefined ? { name: given(input.name)! } : {}),
    ...(apiKey !== undefined ? (record.kind === 'synapse' ? { token: apiKey } : { apiKey }) : {}),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(fingerprint !== undefined ? { certificate: await pinCertificate(url ?? record.url, fingerprint, { proxy: core.sources.proxyFor(url ?? record.url) }) } : {}),
  });
  return { source: sourceDto(saved), signedInAs: signedInAs(immich) };
}

/** The folders and files directly in a folder (or the one file a path names), with their summary. */
export async function browse(core: Core, input: ParsedInput<'sources.browse'>): Promise<ListingDto> {
  const record = sourceById(core, input.sourceId);
  const source = core.sources.source(record);
  const path = trimSlashes(input.path);
  const target = await findTarget(source, path);
  const listing = target.kind === 'folder' ? target.listing : { folder: path, files: [target.file], folders: [] };
  return listingDto(record.id, listing);
}

/** An Immich asset's thumbnail, or (when the setting allows) a web or WebDAV image itself, as a data: URL. */
export async function thumbnail(core: Core, input: ParsedInput<'sources.thumbnail'>): Promise<{ dataUrl: string }> {
  const record = sourceById(core, input.sourceId);
  const source = core.sources.source(record);
  const https = record.certificate ? pinnedTls(record.certificate) : undefined;
  if (source instanceof ImmichSource) return { dataUrl: await immichThumbnail(source, input.fileId, https, core.sources.http) };
  if (!core.settings.get().imagePreviews) {
    throw new CartageError('bad_input', `Previews of the images on ${record.name} are off: turn on "Show previews of images" in Settings to see them (each one is downloaded).`);
  }
  if (!input.href) throw new CartageError('bad_input', `Give the address of the image on ${record.name} to show its preview.`);
  return { dataUrl: await imagePreview(source, record.url, input.href, https, core.sources.http) };
}

/** Every match is counted (all pages); only the first `preview` are sent. */
export async function queryPreview(core: Core, input: ParsedInput<'sources.query'>): Promise<QueryPreviewDto> {
  const source = core.sources.source(sourceById(core, input.sourceId));
  const files: FileDto[] = [];
  const summary = { files: 0, bytes: 0, unknownSizes: 0 };
  for await (const f of source.query(queryText(source, input.query))) {
    if (files.length < input.preview) files.push(fileDto(f));
    summary.files += 1;
    // A live photo is one file of two parts: both count towards its size.
    for (const part of f.motion ? [f, f.motion] : [f]) {
      if (part.size === null) summary.unknownSizes += 1;
      else summary.bytes += part.size;
    }
  }
  return { files, summary };
}
