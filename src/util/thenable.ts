/** What `await` would wait for: the runtime's synchronous paths answer at once unless a step returned one. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return ((typeof value === 'object' && value !== null) || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
