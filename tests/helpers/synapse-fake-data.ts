// The data a fake Synapse serves: entities (projects, folders, files, views), their file handles,
// access requirements, personal access tokens and the person's download list. Kept apart from the
// HTTP side (synapse-server.ts) so that tests can build a library in a few lines.
import { createHash } from 'node:crypto';

export type EntityType = 'project' | 'folder' | 'file' | 'entityview';

export interface FakeEntityInput {
  /** 'syn123'; made up when not given. */
  id?: string;
  name: string;
  type: EntityType;
  parentId?: string | null;
  /** A file's bytes (S3-stored by Synapse). */
  content?: Buffer;
  /** The MD5 the file handle claims, when it should differ from the bytes' (a corrupt upload). */
  md5?: string;
  /** An external link (https://... or sftp://...): an ExternalFileHandle, not stored by Synapse. */
  externalUrl?: string;
  /** An unmet access requirement (its id) on the file. */
  accessRequirement?: number;
  /** The person can see the file but has no DOWNLOAD permission on it. */
  noDownload?: boolean;
  /** For a view: the ids of the files its query returns, in order. */
  rows?: string[];
}

export interface FakeEntity extends Required<Pick<FakeEntityInput, 'name' | 'type'>> {
  id: string;
  parentId: string | null;
  versionNumber: number;
  fileHandleId: string | null;
  content: Buffer | null;
  md5: string | null;
  externalUrl: string | null;
  accessRequirement: number | null;
  noDownload: boolean;
  rows: string[];
  modifiedOn: string;
}

export interface FakeToken {
  /** What the person would paste. JWT-shaped, like a real personal access token. */
  token: string;
  scopes: string[];
  /** Seconds since the epoch, or null for a token that does not expire. */
  exp: number | null;
  /** Revoked on the server (it still looks valid when decoded). */
  revoked?: boolean;
}

export const FAKE_USER = { ownerId: '3350396', userName: 'ada', firstName: 'Ada', lastName: 'Lovelace' };

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A token shaped as Synapse issues them: a signed JWT whose `access.scope` lists what it may do. */
export function makeToken(scopes: string[] = ['view', 'download', 'modify'], exp: number | null = null): FakeToken {
  const payload = {
    access: { scope: scopes, oidc_claims: {} },
    token_type: 'PERSONAL_ACCESS_TOKEN',
    token_id: String(Math.floor(Math.random() * 1e6)),
    iss: 'https://repo-prod.prod.sagebase.org/auth/v1',
    aud: '0',
    iat: Math.floor(Date.now() / 1000) - 60,
    sub: FAKE_USER.ownerId,
    ...(exp !== null ? { exp } : {}),
  };
  return { token: `${b64url({ alg: 'RS256', typ: 'JWT', kid: 'fake' })}.${b64url(payload)}.${Buffer.from('signature').toString('base64url')}`, scopes, exp };
}

/** The library: entities by id, in insertion order (the server's default sort is by name). */
export class FakeLibrary {
  readonly entities = new Map<string, FakeEntity>();
  /** The person's download list on the server: entity id and version. */
  downloadList: { fileEntityId: string; versionNumber: number; addedOn: string }[] = [];
  private nextId = 1000;
  private nextHandle = 5000;

  add(input: FakeEntityInput): FakeEntity {
    const id = input.id ?? `syn${this.nextId++}`;
    const content = input.content ?? (input.type === 'file' && !input.externalUrl ? Buffer.from(`content of ${input.name}\n`) : null);
    const entity: FakeEntity = {
      id,
      name: input.name,
      type: input.type,
      parentId: input.parentId ?? null,
      versionNumber: 1,
      fileHandleId: input.type === 'file' ? String(this.nextHandle++) : null,
      content,
      md5: input.md5 ?? (content ? createHash('md5').update(content).digest('hex') : null),
      externalUrl: input.externalUrl ?? null,
      accessRequirement: input.accessRequirement ?? null,
      noDownload: input.noDownload ?? false,
      rows: input.rows ?? [],
      modifiedOn: new Date(Date.UTC(2025, 0, 1 + this.entities.size)).toISOString(),
    };
    this.entities.set(id, entity);
    return entity;
  }

  children(parentId: string | null, types: readonly string[]): FakeEntity[] {
    return [...this.entities.values()]
      .filter((e) => e.parentId === parentId && types.includes(e.type))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  byHandle(handleId: string): FakeEntity | undefined {
    return [...this.entities.values()].find((e) => e.fileHandleId === handleId);
  }

  /** The project an entity lives in. */
  projectOf(e: FakeEntity): FakeEntity {
    let at = e;
    while (at.parentId) at = this.entities.get(at.parentId) ?? at;
    return at;
  }
}

/** The concrete class Synapse names an entity type by. */
export function concreteType(type: EntityType): string {
  switch (type) {
    case 'project':
      return 'org.sagebionetworks.repo.model.Project';
    case 'folder':
      return 'org.sagebionetworks.repo.model.Folder';
    case 'file':
      return 'org.sagebionetworks.repo.model.FileEntity';
    case 'entityview':
      return 'org.sagebionetworks.repo.model.table.EntityView';
  }
}
