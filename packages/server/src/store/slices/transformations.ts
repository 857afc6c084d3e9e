/** An endpoint's transformation (Svix's): JavaScript that reshapes each webhook before it is sent. */
export interface EndpointTransformation {
  /** null: none was ever set, or it was removed. */
  code: string | null;
  enabled: boolean;
  /** When it last changed; null when it never was set. */
  updatedAt: number | null;
}

/** What a change names: a field left out keeps its value; `code: null` removes the code. */
export interface EndpointTransformationPatch {
  code?: string | null;
  enabled?: boolean;
}

/** Endpoints' transformations, kept apart from the endpoint rows that every delivery reads. */
export interface TransformationStore {
  /** The endpoint's transformation: no code and disabled when none was ever set. */
  getEndpointTransformation(endpointId: string): Promise<EndpointTransformation>;
  /** Applies the patch and returns the result; undefined (nothing written) when the endpoint is gone. */
  patchEndpointTransformation(endpointId: string, patch: EndpointTransformationPatch, now: number): Promise<EndpointTransformation | undefined>;
}
