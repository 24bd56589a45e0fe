import type { ImportSource, LegacyFileStore, LegacyStoredFile, SourceSystem } from '@zhanqun/importers';

/** A legacy file copied to a local temporary path, with the hash media needs (see ReceivedFile). */
export interface ReceivedLegacyFile {
  path: string;
  size: number;
  sha256: string;
  cleanup(): Promise<void>;
}

/**
 * What the import use cases need from the outside (issue 11): opening a legacy source and its uploads with the
 * adapters of @zhanqun/importers, inside the server's import directory. The adapters package builds it; core only
 * uses the intermediate record types.
 */
export interface ImportPort {
  /** IMPORT_DIR: every source and uploads path given to the API must resolve inside it. */
  importDir: string;
  open(paths: string[], options: { system?: SourceSystem | null; baseUrls?: string[] }): Promise<ImportSource>;
  openFiles(pathOrZip: string, options: { baseUrls?: string[] }): Promise<LegacyFileStore>;
  /** Copies a stored legacy file to a temporary file, hashing it on the way (the media pipeline reads files). */
  receive(file: LegacyStoredFile): Promise<ReceivedLegacyFile>;
}
