// Errors the fake answers with, in Qdrant's envelope `{status: {error}, time}`.

/** A failure Qdrant itself would report, with its status code and message. */
export class QdrantError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Something real Qdrant does that this fake does not: answered 501 so that no test relies on a guess. */
export class NotImplemented extends QdrantError {
  constructor(what: string) {
    super(501, `Not implemented by the Qdrant fake: ${what}`);
  }
}

export const notFoundCollection = (name: string) => new QdrantError(404, `Not found: Collection \`${name}\` doesn't exist!`);
