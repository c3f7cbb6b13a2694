// What smart image inspection hands to the rules engine: detections in original image pixels.

export interface Detection {
  /** A label from the model's manifest, normally one of DETECTION_LABELS. */
  label: string;
  score: number;
  /** [x1, y1, x2, y2] in original image pixels. */
  box: [number, number, number, number];
}

export interface InspectionOutput {
  /** "name@version" from the model manifest. */
  model: string;
  detections: Detection[];
  inferenceMs: number;
  imageWidth: number;
  imageHeight: number;
  /** Where the rest of the inspection's time went, ms: decode + letterbox + tensor, and waiting for the worker (round trip − inference). */
  preprocessMs?: number;
  waitMs?: number;
}

/**
 * The label space of the shipped model (issue: smart image inspection). Site models may add labels;
 * the rules engine maps labels to HS chapters through versioned data, so unknown labels are handled there.
 */
export const DETECTION_LABELS = [
  'gun',
  'knife',
  'scissors',
  'battery', // loose cells and power banks
  'phone',
  'laptop', // laptops and tablets
  'bottle', // liquid bottles
  'aerosol',
  'cosmetic', // jars and tubes
  'pills', // pills and blister packs
  'shoes',
  'can', // food and formula cans
] as const;

export type DetectionLabel = (typeof DETECTION_LABELS)[number];

/**
 * A loaded model ready to inspect images. Implemented in src/main/inspection (onnxruntime-node in a
 * supervised worker); `openInspector()` exported from src/main/inspection/index.ts creates one.
 * Every failure rejects with a StationError (INSPECT_* codes); callers turn that into HOLD (S04/S03).
 */
export interface Inspector {
  /** "name@version". */
  readonly model: string;
  /** Encoded image bytes (PNG, JPEG, TIFF or a raw binary netpbm frame). */
  inspect(image: Uint8Array): Promise<InspectionOutput>;
  close(): Promise<void>;
}

export interface InspectorOptions {
  /** Folder with model.onnx and manifest.json; absent: the shipped model under models/. */
  modelDir?: string;
  /** Per-label score thresholds overriding the manifest's. */
  classThresholds?: Record<string, number>;
  /** Inference deadline; past it the call rejects and the worker is restarted. */
  timeoutMs?: number;
}
