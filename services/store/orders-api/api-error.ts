// The orders API's refusals, in TideDB's own error shape (`{"error": {"code", "message"}}`), each
// code stable and named after the rule that failed, so a caller compares codes, never text.
export const ApiErrorCode = {
  REQUEST_INVALID: 400,
  EMAIL_TAKEN: 409,
  USER_NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
} as const;
export type ApiErrorCode = keyof typeof ApiErrorCode;

export class ApiError extends Error {
  constructor(readonly code: ApiErrorCode, message: string) {
    super(message);
  }

  get status(): number {
    return ApiErrorCode[this.code];
  }
}
