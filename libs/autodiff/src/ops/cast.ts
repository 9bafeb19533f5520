import { isFloat } from '@coin/onnx';
import { castTo } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/**
 * https://onnx.ai/onnx/operators/onnx__Cast.html
 *
 * Between float types the gradient is cast back; from integers there is nothing to differentiate.
 */
export const Cast: Primitive = {
  opType: 'Cast',
  grad: (c) => {
    const x = input(c, 0);
    return [isFloat(x.dtype) ? castTo(c.b, dy(c), x.dtype) : undefined];
  },
};
