import type { Entity } from '../codec/records.generated.js';

/** Everything about one node hashes to one partition, so per-series state lives in one consumer. */
export function nodeKey(cluster: string, node: string | null): string {
  return `${cluster}/${node ?? ''}`;
}

export function entityNodeKey(entity: Entity): string {
  return nodeKey(entity.cluster, entity.node);
}

/** Key of a health update: the entity path, so the compacted topic keeps the latest per entity. */
export function entityKey(entity: Entity): string {
  return [entity.cluster, entity.node, entity.namespace, entity.pod, entity.container].filter((part) => part !== null).join('/');
}
