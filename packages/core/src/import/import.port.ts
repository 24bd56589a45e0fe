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
  /**
   * Exports uploaded through the API live in the media object storage (S3-compatible, or the local store), under
   * `imports/<siteId>/<sha256>`: the API instance that received one keeps nothing the worker on another machine
   * would need.
   */
  uploads: {
    put(siteId: string, sha256: string, path: string): Promise<void>;
    exists(siteId: string, sha256: string): Promise<boolean>;
    /** Deletes the stored upload; deleting one already gone is not an error (the purge may run twice). */
    delete(siteId: string, sha256: string): Promise<void>;
    /**
     * A local copy of the upload under `workDir` (named `name`, whose extension the adapters sniff by), or, with
     * `extract` and a zip, the folder it extracts to safely (importers' extractZip). Returns the path to open.
     */
    fetch(siteId: string, sha256: string, name: string, workDir: string, extract: boolean): Promise<string>;
    /** A work directory for one run's copies, removed by `remove`. */
    workDir(): Promise<{ path: string; remove(): Promise<void> }>;
  };
}
