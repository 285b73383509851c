namespace Serverless.SampleModels.Onnx;

/// <summary>A node attribute; exactly one of the values is set, as AttributeProto requires.</summary>
public sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, long[]? Ints = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);
}
