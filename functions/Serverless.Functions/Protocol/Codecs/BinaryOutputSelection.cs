namespace Serverless.Functions.Protocol.Codecs;

/// <summary>
/// Which outputs go back as binary tensor data: an output's own <c>parameters.binary_data</c> wins, else the request's
/// <c>parameters.binary_data_output</c>, else JSON (Triton's rules).
/// </summary>
public sealed class BinaryOutputSelection
{
    public static readonly BinaryOutputSelection None = new(false, null);

    private readonly bool _byDefault;
    private readonly Dictionary<string, bool>? _perOutput;

    public BinaryOutputSelection(bool byDefault, Dictionary<string, bool>? perOutput)
    {
        _byDefault = byDefault;
        _perOutput = perOutput;
    }

    public bool IsBinary(string output) =>
        _perOutput is not null && _perOutput.TryGetValue(output, out var binary) ? binary : _byDefault;

    public bool AnyBinary(IReadOnlyList<Serverless.Core.Inference.InferenceTensor> outputs)
    {
        if (!_byDefault && _perOutput is null)
        {
            return false;
        }
        foreach (var output in outputs)
        {
            if (IsBinary(output.Name))
            {
                return true;
            }
        }
        return false;
    }
}
