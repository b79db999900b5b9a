// Public API of the feature export: the engine's feature matrix (and training labels) written to a file.
export { exportFeatures, computeLabels, LABEL_KINDS } from './exportFeatures.ts';
export type { FeatureExportRequest, FeatureExportResult, LabelCounts, LabelKind, LabelSpec } from './exportFeatures.ts';
