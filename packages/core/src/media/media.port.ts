import type { MediaKind } from './media.entity.ts';

/**
 * Where the bytes live (local filesystem or S3-compatible object storage). Keys are content addresses
 * (`<siteId>/<sha256>`, renditions `<siteId>/<sha256>.<name>`), never client-supplied names.
 */
export interface MediaStorage {
  /** Stores a local file under `key`; atomic: a reader never sees a partial object. */
  put(key: string, sourcePath: string): Promise<void>;
  /** A stream of the object, or of the inclusive byte range. */
  read(key: string, range?: { start: number; end: number }): Promise<NodeJS.ReadableStream>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Copies the object to a local file (the worker's image and text tools read files). */
  download(key: string, destPath: string): Promise<void>;
}

/** A file ready to store: judged by content, images re-encoded without metadata (so GPS never reaches storage). */
export interface PreparedFile {
  path: string;
  sha256: string;
  size: number;
  mediaType: string;
  kind: MediaKind;
  extension: string;
  width: number | null;
  height: number | null;
  animated: boolean;
  placeholder: string | null;
  /** Removes any temporary file `prepare` made. */
  cleanup(): Promise<void>;
}

export interface MadeRendition {
  name: string;
  path: string;
  sha256: string;
  size: number;
  mediaType: string;
  width: number;
  height: number;
}

/** The tools that need native libraries (file-type, sharp, unpdf, mammoth) live in the adapters. */
export interface MediaTools {
  /**
   * Sniffs, validates (core's media.policy) and, for images, strips metadata; throws AppError on bad input.
   * `sha256` is the hash of the file as it is (computed while it streamed in), reused when the bytes are kept.
   */
  prepare(path: string, fileName: string, sha256: string): Promise<PreparedFile>;
  /** Makes the named renditions of a stored image file into `outDir`. */
  renditions(srcPath: string, names: string[], outDir: string, animated: boolean): Promise<MadeRendition[]>;
  /** Whether an image has an alpha channel (PNG fallback instead of JPEG). */
  hasAlpha(srcPath: string): Promise<boolean>;
  /** Plain text of a PDF or DOCX; null for types without text. */
  extractText(path: string, mediaType: string): Promise<string | null>;
  /** A fresh temporary directory for work files, removed by `remove`. */
  tempDir(): Promise<{ path: string; remove(): Promise<void> }>;
}

export interface MediaSettings {
  maxBytes: number;
  maxPixels: number;
  /** Per-site quota in bytes; overrides by site code. */
  quotaBytes: number;
  quotaOverrides: Record<string, number>;
  /** HMAC key of signed preview URLs. */
  signingSecret: string;
  signedUrlTtlSeconds: number;
  /**
   * How long level 3 extracts the text of an attachment the worker has not read yet before refusing with
   * MEDIA_TEXT_PENDING (issue 8: the personal-data check must read every attachment). Default 20 s.
   */
  textWaitMs?: number;
}

export interface MediaPort {
  storage: MediaStorage;
  tools: MediaTools;
  settings: MediaSettings;
}

export const originalKey = (siteId: string, sha256: string) => `${siteId}/${sha256}`;
export const renditionKey = (siteId: string, sha256: string, name: string) => `${siteId}/${sha256}.${name}`;
