/** A transformation (Svix's): JavaScript that reshapes each webhook before it is sent. */
export interface Transformation {
  /** null: none was ever set, or it was removed. */
  code: string | null;
  enabled: boolean;
  /** When it last changed; null when it never was set. */
  updatedAt: number | null;
}

/** What a change names: a field left out keeps its value; `code: null` removes the code. */
export interface TransformationPatch {
  code?: string | null;
  enabled?: boolean;
}

/**
 * Endpoints' transformations (run on each attempt) and inbound sources' (run on each request forwarded), kept apart
 * from the endpoint and source rows that every delivery reads.
 */
export interface TransformationStore {
  /** The endpoint's transformation: no code and disabled when none was ever set. */
  getEndpointTransformation(endpointId: string): Promise<Transformation>;
  /** Applies the patch and returns the result; undefined (nothing written) when the endpoint is gone. */
  patchEndpointTransformation(endpointId: string, patch: TransformationPatch, now: number): Promise<Transformation | undefined>;
  getSourceTransformation(sourceId: string): Promise<Transformation>;
  /** Applies the patch and returns the result; undefined (nothing written) when the source is gone. */
  patchSourceTransformation(sourceId: string, patch: TransformationPatch, now: number): Promise<Transformation | undefined>;
}
