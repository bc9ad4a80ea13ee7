// A map keyed by the set `type:id#relation`, nested by its parts.

/**
 * SetMap maps sets `type:id#relation` to values, nested type → relation → id, so that no id
 * makes two sets collide and no key is built per lookup.
 */
export class SetMap<V> {
  private readonly byType = new Map<string, Map<string, Map<string, V>>>();

  /** get is the set's value, or undefined. */
  get(type: string, id: string, relation: string): V | undefined {
    return this.byType.get(type)?.get(relation)?.get(id);
  }

  /** set gives the set a value. */
  set(type: string, id: string, relation: string, value: V): void {
    let byRelation = this.byType.get(type);
    if (byRelation === undefined) {
      byRelation = new Map();
      this.byType.set(type, byRelation);
    }
    let byId = byRelation.get(relation);
    if (byId === undefined) {
      byId = new Map();
      byRelation.set(relation, byId);
    }
    byId.set(id, value);
  }
}
