/**
 * A text[] literal for a bound parameter: the driver runs without array type information
 * (postgres.js with fetch_types off), so arrays travel as text and are cast in SQL (`::text[]`).
 */
export const textArray = (values: string[]) => `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
