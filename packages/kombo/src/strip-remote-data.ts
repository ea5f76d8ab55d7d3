/**
 * The value without any `remote_data` member, at every depth: Kombo's copy of the upstream system's raw payload,
 * on the record and on nested copies (a job's stages, postings). Returns the same value when it has none, so a
 * record without remote_data costs no copy.
 */
export function withoutRemoteData<T>(value: T): T {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, index) => {
      const stripped = withoutRemoteData(item);
      if (stripped !== item) (copy ??= [...value])[index] = stripped;
    });
    return (copy ?? value) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, member] of Object.entries(value)) {
    if (key === 'remote_data') {
      copy ??= { ...(value as Record<string, unknown>) };
      delete copy[key];
      continue;
    }
    const stripped = withoutRemoteData(member);
    if (stripped !== member) (copy ??= { ...(value as Record<string, unknown>) })[key] = stripped;
  }
  return (copy ?? value) as T;
}
