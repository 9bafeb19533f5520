/**
 * The object store port (ARCHITECTURE.md "Ports and their adapters"): the system of record for
 * prepared data, base models, stage checkpoints, evaluation and judge outputs. Paths are
 * '/'-separated keys relative to the store's root (`runs/<id>/stages/3/manifest.json`), never
 * absolute, never containing `..` or empty segments (store-path.ts, docs/file-formats.md#store-paths).
 * Adapters: filesystem (embedded), S3 (cluster).
 */
export interface BlobInfo {
  /** The blob's path: its store path as `put` returns it, relative to the unit's prefix in a manifest. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface ObjectStore {
  /** What the store is, for messages: `file:///home/u/.cache/coin`, `s3://bucket/prefix`. */
  readonly url: string;
  /** Writes one blob (replacing it); readers never see a partial blob. */
  put(path: string, data: Uint8Array | string): Promise<BlobInfo>;
  /** Streams a local file into the store (multipart where the backend has it). */
  putFile(path: string, localFile: string): Promise<BlobInfo>;
  /** The blob's bytes; STORE.NOT_FOUND (NOT_FOUND) when absent. */
  get(path: string): Promise<Uint8Array>;
  /**
   * The blob's bytes as a stream of chunks, for reading large blobs without holding them (hashing
   * a checkpoint); rejects with STORE.NOT_FOUND (NOT_FOUND) when absent.
   */
  getStream(path: string): Promise<AsyncIterable<Uint8Array>>;
  /** Streams a blob to a local file (written beside and renamed: never half-written). */
  getFile(path: string, localFile: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** The blob's size in bytes without reading it (a HEAD), or undefined when absent. */
  size(path: string): Promise<number | undefined>;
  /**
   * Every blob path under a prefix (recursive), sorted, as full store paths. A prefix is a folder:
   * `runs/a` lists `runs/a/x`, never `runs/ab`; '' lists the whole store.
   */
  list(prefix: string): Promise<string[]>;
  /** Removes every blob under a prefix (nothing when there is none); the root ('') is refused. */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * A local folder holding the blobs under `prefix` as files, or undefined when the store cannot
   * offer one without copying (S3). The filesystem adapter returns its own folder, so a unit
   * reads a checkpoint in place.
   */
  localPath?(prefix: string): string | undefined;
}
