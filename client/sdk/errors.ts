/** An error answer from the PAR API: the HTTP status and the API's stable error code. */
export class ParApiError extends Error {
  override name = 'ParApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
