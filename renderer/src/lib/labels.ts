// The words the window uses for the contract's codes: restrictions, states, layouts, kinds.
import type { CartItemDto, DeliveryDto, MirrorRunDto, SettingsDto, SourceKind, TaskStateDto } from '../../../preload/api';
import { assertNever } from './never';

export type Layout = DeliveryDto['layout'];

/** A short badge for why an entry cannot be downloaded (the contract sends the code as a string). */
export function restrictionLabel(restriction: string | null): string {
  switch (restriction) {
    case 'needs_sign_in':
      return 'Needs sign-in';
    case 'not_allowed':
      return 'Owner does not allow downloads';
    case 'offline':
      return 'Offline';
    case 'trashed':
      return 'In the trash';
    case 'external_link':
      return 'Link to another site';
    case 'unsupported_protocol':
      return 'Cannot be fetched';
    case 'web_page':
      return 'A web page, not a file';
    case 'access_requirement':
      return 'Access requirement not met';
    default:
      return 'Cannot be downloaded';
  }
}

/** What "request access" does for an entry: sign in to its source, open the original, or nothing. */
export type AccessAction = { kind: 'sign-in'; sourceName: string } | { kind: 'open'; label: string } | null;

/** The action offered next to an entry's restriction. */
export function accessAction(item: Pick<CartItemDto, 'access' | 'sourceName'>): AccessAction {
  if (item.access.downloadable) return null;
  switch (item.access.restriction) {
    case 'needs_sign_in':
      return item.sourceName ? { kind: 'sign-in', sourceName: item.sourceName } : { kind: 'open', label: 'Open to sign in' };
    case 'not_allowed':
      return { kind: 'open', label: 'Ask the owner' };
    // The entry's link is the access requirement's page on synapse.org.
    case 'access_requirement':
      return { kind: 'open', label: 'Request access' };
    case 'web_page':
    case 'external_link':
      return { kind: 'open', label: 'Open original' };
    default:
      return null;
  }
}

export function taskStateLabel(state: TaskStateDto): string {
  switch (state) {
    case 'queued':
      return 'Waiting';
    case 'active':
      return 'Downloading';
    case 'paused':
      return 'Paused';
    case 'completed':
      return 'Done';
    case 'failed':
      return 'Failed';
    case 'canceled':
      return 'Canceled';
    case 'skipped':
      return 'Skipped';
    default:
      return assertNever(state);
  }
}

/** The terminal states (the task has ended): shown at once, not at the next frame. */
export function isTerminalTaskState(state: TaskStateDto): boolean {
  return state === 'completed' || state === 'failed' || state === 'canceled' || state === 'skipped';
}

export function deliveryStateLabel(delivery: Pick<DeliveryDto, 'state' | 'kind'>): string {
  switch (delivery.state) {
    case 'running':
      return 'Downloading';
    case 'assembling':
      return delivery.kind === 'zip' ? 'Writing the zip' : 'Putting files in place';
    case 'completed':
      return 'Done';
    case 'canceled':
      return 'Canceled';
    case 'failed':
      return delivery.kind === 'zip' ? 'The zip could not be written' : 'Failed';
    default:
      return assertNever(delivery.state);
  }
}

export function mirrorRunStateLabel(state: MirrorRunDto['state']): string {
  switch (state) {
    case 'enumerating':
      return 'Listing the source';
    case 'downloading':
      return 'Downloading';
    case 'completed':
      return 'Done';
    case 'interrupted':
      return 'Interrupted';
    case 'failed':
      return 'Failed';
    default:
      return assertNever(state);
  }
}

export function layoutLabel(layout: Layout): string {
  switch (layout) {
    case 'flat':
      return 'All in one folder';
    case 'folders':
      return 'By source folder';
    case 'date':
      return 'By date taken';
    default:
      return assertNever(layout);
  }
}

export function sourceKindLabel(kind: SourceKind): string {
  switch (kind) {
    case 'immich':
      return 'Immich server';
    case 'webdav':
      return 'WebDAV share';
    case 'web':
      return 'Web folder';
    case 'synapse':
      return 'Synapse';
    default:
      return assertNever(kind);
  }
}

export function conflictLabel(policy: SettingsDto['conflictPolicy']): string {
  switch (policy) {
    case 'rename':
      return 'Keep both (the new file gets a number)';
    case 'overwrite':
      return 'Replace the file on disk';
    case 'skip':
      return 'Keep the file on disk, skip the new one';
    default:
      return assertNever(policy);
  }
}
