using Serverless.Core.Inference;

namespace Serverless.Core.Cache;

/// <summary>One inference on zeros (dynamic dimensions set to 1) so lazy allocations happen before the first real call.</summary>
public static class ModelWarmup
{
    /// <summary>Runs through the model's scheduler like any request, uncounted; its output buffers go back to the pool.</summary>
    public static async Task RunAsync(LoadedModel model, CancellationToken cancellationToken = default)
    {
        var inputs = model.Session.Inputs.Select(input =>
        {
            var shape = input.Shape.Select(d => d < 0 ? 1 : d).ToArray();
            return new InferenceTensor(input.Name, input.DataType, shape, Zeros(input.DataType, TensorShape.ElementCount(shape)));
        }).ToList();
        var result = await model.RunUncountedAsync(inputs, [], cancellationToken);
        result.Buffers?.Dispose();
    }

    /// <summary>
    /// Zero bytes are zeros of every fixed-size type. BYTES elements are the text "0": a graph that casts its strings to
    /// numbers refuses an empty one (ONNX Runtime's Cast fails on ""), and any text model takes it.
    /// </summary>
    private static byte[] Zeros(TensorDataType type, long count)
    {
        if (type.HasFixedSize())
        {
            return new byte[count * type.ElementSize()];
        }
        var bytes = new byte[count * (BytesTensor.LengthPrefix + 1)];
        for (var i = 0; i < count; i++)
        {
            BytesTensor.Write(bytes.AsSpan(i * (BytesTensor.LengthPrefix + 1)), "0"u8);
        }
        return bytes;
    }
}
