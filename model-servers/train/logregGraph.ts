import type { LogregModel } from './LogregModel.ts';
import type { OnnxGraph } from './onnxModel.ts';

/** ((features − mean) / std) · weights + bias, then Softmax: the same operations, in the same order, as `predictLogreg`. */
export function logregGraph(model: LogregModel): OnnxGraph {
  const { features, classes } = model;
  return {
    name: 'xylen_logreg',
    inputWidth: features,
    outputWidth: classes,
    initializers: {
      mean: { dims: [features], values: model.mean },
      std: { dims: [features], values: model.std },
      weights: { dims: [features, classes], values: model.weights },
      bias: { dims: [classes], values: model.bias },
    },
    nodes: [
      { op: 'Sub', inputs: ['features', 'mean'], outputs: ['centred'] },
      { op: 'Div', inputs: ['centred', 'std'], outputs: ['standardised'] },
      { op: 'MatMul', inputs: ['standardised', 'weights'], outputs: ['product'] },
      { op: 'Add', inputs: ['product', 'bias'], outputs: ['margins'] },
      { op: 'Softmax', inputs: ['margins'], outputs: ['probabilities'], attributes: { axis: 1 } },
    ],
  };
}
