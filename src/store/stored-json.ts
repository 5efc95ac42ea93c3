// The run store's small records (the waiting reasons, the hosts' loads)
// are JSON in one value each, written by the running build and read by
// other processes; a value that is empty or cannot be read is no record.

/** The record in `text`, or undefined when there is none (or it cannot be read). */
export function parseStored<T>(text: string | undefined): T | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
