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
