namespace Serverless.Core.Inference;

/// <summary>A model input or output as the graph declares it; -1 marks a dynamic dimension.</summary>
public sealed record TensorMetadata(string Name, TensorDataType DataType, long[] Shape)
{
    /// <summary>An input a request may leave out (see <see cref="IModelSession.OptionalInputs"/>).</summary>
    public bool Optional { get; init; }
}
