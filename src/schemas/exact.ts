/**
 * Compile-time proof that a schema and a domain type describe exactly the same values: a field
 * added, dropped, made optional or retyped on either side fails `tsc`. The domain keeps plain
 * types (workflow code must not load zod); this keeps the schemas in step with them.
 */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Names every schema/type pair that must agree; any `false` in the list is a compile error. */
export type AllSame<T extends true[]> = T;
