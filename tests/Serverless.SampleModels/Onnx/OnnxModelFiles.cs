namespace Serverless.SampleModels.Onnx;

/// <summary>A model.onnx and its external-data files, keyed by their path relative to model.onnx ('/' separated).</summary>
public sealed record OnnxModelFiles(byte[] Model, IReadOnlyDictionary<string, byte[]> ExternalFiles);
