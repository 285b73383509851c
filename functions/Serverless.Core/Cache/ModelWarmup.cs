using Serverless.Core.Inference;

namespace Serverless.Core.Cache;

/// <summary>One inference on zeros (dynamic dimensions set to 1) so lazy allocations happen before the first real call.</summary>
public static class ModelWarmup
{
    public static void Run(IModelSession session)
    {
        var inputs = session.Inputs.Select(input =>
        {
            var shape = input.Shape.Select(d => d < 0 ? 1 : d).ToArray();
            // Zero bytes are zeros of every fixed-size type, and for BYTES a run of empty strings (each a zero length).
            var bytes = new byte[TensorShape.ElementCount(shape) * (input.DataType.HasFixedSize() ? input.DataType.ElementSize() : BytesTensor.LengthPrefix)];
            return new InferenceTensor(input.Name, input.DataType, shape, bytes);
        }).ToList();
        session.Run(inputs, session.Outputs.Select(o => o.Name).ToList());
    }
}
