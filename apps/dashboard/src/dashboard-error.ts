/** An error with an HTTP status and a stable code, turned into a response by the error middleware. */
export class DashboardError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DashboardError';
  }
}
