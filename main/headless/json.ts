// The shapes `--json` prints, built from the contract's DTOs (preload/api.ts), so a script that
// reads the CLI and the window that reads the service see one set of names. Where the CLI's shape
// differs from the window's, the difference is spelt out here (scripts already read these shapes).
import type { AccessDto, CartItemDto, FileDto, TaskDto } from '../../preload/api.js';
import type { CartItem } from '../core/cart/cart.js';

export type { FolderDto as FolderJson, SourceDto as SourceJson } from '../../preload/api.js';

/** A file: the contract's, with its access spread out and its content type named `type`. */
export type FileJson = Omit<FileDto, 'contentType' | 'access'> & { type: FileDto['contentType'] } & AccessDto;

/** An entry of the download list: the stored item, with its date as the contract writes it. */
export type CartItemJson = Omit<CartItem, 'takenAt'> & Pick<CartItemDto, 'takenAt'>;

/** A task: the contract's core fields, its address (without secrets) and attempts; a path once it is done. */
export type TaskJson = Pick<TaskDto, 'id' | 'state' | 'name' | 'bytes' | 'total' | 'error'> & { url: string; path: string | null; attempts: number };
