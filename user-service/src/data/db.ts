/** A nullable VARCHAR as the driver returns it. */
export const optional = (value: unknown): string | null => (value === null ? null : String(value));
