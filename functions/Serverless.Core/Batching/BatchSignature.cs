using System.Text;
using Serverless.Core.Inference;

namespace Serverless.Core.Batching;

/// <summary>
/// What requests must share to ride in one Run: the same inputs with the same datatypes and the same dimensions
/// after the first, and the same requested outputs. Rows is the shared first dimension; null when the request
/// cannot be batched (rank-0 inputs, or inputs that disagree on their first dimension).
/// </summary>
public readonly record struct BatchSignature(string Key, long? Rows)
{
    public static BatchSignature Of(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputs)
    {
        long? rows = null;
        var key = new StringBuilder();
        foreach (var input in inputs.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            if (input.Shape.Length == 0 || (rows is not null && rows != input.Shape[0]))
            {
                return new BatchSignature("", null);
            }
            rows = input.Shape[0];
            key.Append(input.Name).Append(':').Append(input.DataType.WireName());
            for (var d = 1; d < input.Shape.Length; d++)
            {
                key.Append(',').Append(input.Shape[d]);
            }
            key.Append(';');
        }
        foreach (var output in outputs)
        {
            key.Append('>').Append(output);
        }
        return new BatchSignature(key.ToString(), rows);
    }
}
