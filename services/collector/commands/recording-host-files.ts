import type { HostFiles } from '../host-files.js';

/** What a collect cycle read: file contents and the directories it listed, by host path. */
export interface ReadRecord {
  files: Map<string, string>;
  directories: Set<string>;
}

export function emptyReadRecord(): ReadRecord {
  return { files: new Map(), directories: new Set() };
}

/**
 * HostFiles that remember everything read through them, so `vigil capture` can write verbatim
 * copies of exactly the files the collector used (and the directories it listed, even empty ones).
 */
export function recordingHostFiles(inner: HostFiles, record: ReadRecord): HostFiles {
  const file = <T extends string | undefined>(hostPath: string, text: T): T => {
    if (text !== undefined) record.files.set(hostPath, text);
    return text;
  };
  const directory = <T>(hostPath: string, listing: T): T => {
    if (listing !== undefined) record.directories.add(hostPath);
    return listing;
  };
  return {
    resolve: (hostPath) => inner.resolve(hostPath),
    readText: async (hostPath, problems) => file(hostPath, await inner.readText(hostPath, problems)),
    readTextSync: (hostFile, problems, options) =>
      file(typeof hostFile === 'string' ? hostFile : hostFile.hostPath, inner.readTextSync(hostFile, problems, options)),
    file: (hostPath) => inner.file(hostPath),
    list: async (hostPath, problems) => directory(hostPath, await inner.list(hostPath, problems)),
    listSync: (hostPath, problems) => directory(hostPath, inner.listSync(hostPath, problems)),
    exists: (hostPath) => inner.exists(hostPath),
    forget: (hostPath) => inner.forget(hostPath),
    endCycle: () => inner.endCycle(),
    close: () => inner.close(),
  };
}
