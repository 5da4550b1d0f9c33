/** Objects of a port's archive: JSON event bodies written once and read back verbatim. */
export interface EventArchive {
  put(bucket: string, key: string, body: string): Promise<void>;
  /** The object's text, or undefined when it does not exist. */
  get(bucket: string, key: string): Promise<string | undefined>;
  copy(bucket: string, fromKey: string, toKey: string): Promise<void>;
  /** Deletes every object under `prefix/`; returns how many. */
  removeAll(bucket: string, prefix: string): Promise<number>;
}
